import { useState } from 'react';
import { api, withQuery } from '../lib/api.ts';
import { useLoad } from '../lib/use-load.ts';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';
import { when } from '../webhooks/DeliveryDetail.tsx';
import { evaluationsUrl, type Evaluation } from './integration-types.ts';

const OUTCOME_CLASS: Record<string, string> = { pass: 'status-succeeded', warn: 'status-pending', fail: 'status-failed' };

/** Nexus IQ application evaluations, newest first. Report data: every member may read it. */
export function EvaluationsTable({ orgId, refresh = 0 }: { orgId: string; refresh?: number }) {
  const [outcome, setOutcome] = useState('');
  const list = useLoad(() => api.get<{ evaluations: Evaluation[] }>(withQuery(evaluationsUrl(orgId), { outcome })).then((b) => b.evaluations), [orgId, outcome, refresh]);
  return (
    <section className="stack" aria-labelledby="evaluations-title">
      <div className="page-head">
        <h2 id="evaluations-title">Application evaluations</h2>
        <label className="inline-label">
          <span>Outcome</span>
          <select value={outcome} aria-label="Evaluation outcome" onChange={(e) => setOutcome(e.target.value)}>
            <option value="">All</option>
            <option value="fail">fail</option>
            <option value="warn">warn</option>
            <option value="pass">pass</option>
          </select>
        </label>
        <button type="button" onClick={list.reload}>
          Refresh evaluations
        </button>
      </div>
      <ErrorMessage message={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? <Loading what="evaluations" /> : null}
      {list.data && list.data.length === 0 ? <Empty>No Nexus IQ evaluations received yet.</Empty> : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-scroll">
          <table aria-label="Nexus IQ application evaluations">
            <thead>
              <tr>
                <th scope="col">Application</th>
                <th scope="col">Stage</th>
                <th scope="col">Outcome</th>
                <th scope="col">Evaluated</th>
                <th scope="col" className="numeric">Affected</th>
                <th scope="col" className="numeric">Critical</th>
                <th scope="col" className="numeric">Severe</th>
                <th scope="col" className="numeric">Moderate</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((e) => (
                <tr key={e.id} data-evaluation-id={e.policyEvaluationId}>
                  <td title={`Application id ${e.applicationId}`}>{e.applicationName ?? e.applicationPublicId ?? e.applicationId}</td>
                  <td>{e.stage}</td>
                  <td>
                    <span className={`pill ${OUTCOME_CLASS[e.outcome] ?? ''}`}>{e.outcome}</span>
                  </td>
                  <td>{when(e.evaluationDate)}</td>
                  <td className="numeric">{e.affectedComponentCount}</td>
                  <td className="numeric">{e.criticalComponentCount}</td>
                  <td className="numeric">{e.severeComponentCount}</td>
                  <td className="numeric">{e.moderateComponentCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
