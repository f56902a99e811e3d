import { ConnectionsSection } from './ConnectionsSection.tsx';
import { EvaluationsTable } from './EvaluationsTable.tsx';

/** Integrations (Administrators and Owners): SonarQube and Nexus IQ connections and what they sent. */
export function IntegrationsPage({ orgId }: { orgId: string }) {
  return (
    <section aria-labelledby="integrations-title" className="stack">
      <div className="page-head">
        <h1 id="integrations-title">Integrations</h1>
      </div>
      <p className="hint">Reports and events arrive by themselves when your scanners finish. Arkiv stores them and relays them to your webhooks, with retries.</p>
      <ConnectionsSection
        orgId={orgId}
        kind="sonarqube"
        intro="Arkiv reads the analysis through the SonarQube Web API and stores a CWE Top 25 and an OWASP Top 10 report. A SonarQube webhook makes this happen after every analysis; “Import now” does it at once."
      />
      <ConnectionsSection
        orgId={orgId}
        kind="nexus-iq"
        intro="Nexus IQ posts its events here. Application evaluations are kept as records (below) and every event is relayed to webhooks subscribed to nexus-iq.* events."
      />
      <div className="card">
        <EvaluationsTable orgId={orgId} />
      </div>
    </section>
  );
}

/** The evaluations alone, for every member: they are report data, not settings. */
export function EvaluationsPage({ orgId }: { orgId: string }) {
  return (
    <section aria-labelledby="evaluations-page-title" className="stack">
      <h1 id="evaluations-page-title">Nexus IQ evaluations</h1>
      <EvaluationsTable orgId={orgId} />
    </section>
  );
}
