import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { CopyField } from './CopyField.tsx';
import { ImportForm } from './ImportForm.tsx';
import { LastEvents } from './LastEvents.tsx';
import { KIND_NAMES, type Connection } from './integration-types.ts';

const PASTE_WHERE = {
  sonarqube: 'In SonarQube: Project Settings › Webhooks (or Administration › Configuration › Webhooks for every project), URL and Secret.',
  'nexus-iq': 'In Nexus IQ: System Preferences › Webhooks, URL and Secret Key; choose the Application Evaluation event (and any others to relay).',
} as const;

/** What to paste into the other product, secret rotation, last events, and for SonarQube "Import now". */
export function ConnectionDetail({ orgId, connection, onRotate, onImported, onRefresh }: { orgId: string; connection: Connection; onRotate: () => void; onImported: () => void; onRefresh: () => void }) {
  return (
    <div className="webhook-detail stack">
      <p className="hint">{PASTE_WHERE[connection.kind]}</p>
      <CopyField label="Webhook URL" value={connection.webhookUrl} what="Webhook URL" />
      <CopyField label="Webhook secret" value={connection.secret} what="Webhook secret" />
      <div className="actions">
        <ConfirmButton label="Rotate webhook secret" confirmLabel="Rotate now" onConfirm={onRotate} />
        <span className="hint">The old secret stops working at once: paste the new one into {KIND_NAMES[connection.kind]} right away.</span>
      </div>
      {connection.kind === 'sonarqube' ? <ImportForm orgId={orgId} connection={connection} onImported={onImported} /> : null}
      <div className="page-head">
        <span />
        <button type="button" onClick={onRefresh}>
          Refresh events
        </button>
      </div>
      <LastEvents events={connection.lastEvents} title={`Last events of ${connection.name}`} />
    </div>
  );
}
