import { api } from '../lib/api.ts';
import { useLoad } from '../lib/use-load.ts';
import { Empty, ErrorMessage, Loading } from '../components/Status.tsx';
import type { Attempt, DeliveryDetail } from './webhook-types.ts';

export const when = (iso: string | null | undefined) => (iso ? iso.slice(0, 19).replace('T', ' ') : '—');

function Headers({ title, headers }: { title: string; headers: Record<string, string> | null | undefined }) {
  if (!headers || Object.keys(headers).length === 0) return null;
  return (
    <>
      <h4>{title}</h4>
      <pre className="headers">{Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\n')}</pre>
    </>
  );
}

function AttemptDetail({ attempt, index }: { attempt: Attempt; index: number }) {
  return (
    <li className="attempt">
      <p>
        <strong>Attempt {attempt.attempt ?? index + 1}</strong> at {when(attempt.startedAt)} — {attempt.responseStatus ? `HTTP ${attempt.responseStatus}` : 'no response'}, {attempt.durationMs} ms
        {attempt.error && attempt.error !== `HTTP ${attempt.responseStatus}` ? `, ${attempt.error}` : ''}
      </p>
      <Headers title="Request headers" headers={attempt.requestHeaders} />
      <Headers title="Response headers" headers={attempt.responseHeaders} />
      {attempt.responseBody ? (
        <>
          <h4>Response body</h4>
          <pre>{attempt.responseBody}</pre>
        </>
      ) : null}
    </li>
  );
}

/** One delivery: its exact body and every attempt with request and response headers. */
export function DeliveryDetailView({ orgId, deliveryId }: { orgId: string; deliveryId: string }) {
  const detail = useLoad(() => api.get<DeliveryDetail>(`/api/orgs/${orgId}/deliveries/${deliveryId}`), [orgId, deliveryId]);
  if (detail.loading && !detail.data) return <Loading what="delivery" />;
  if (detail.error || !detail.data) return <ErrorMessage message={detail.error} onRetry={detail.reload} />;
  const { body, attemptLog, id, lastError } = detail.data;
  return (
    <div className="delivery-detail">
      <p className="hint">
        Delivery ID <span className="mono">{id}</span> (the receiver's idempotency key){lastError ? ` · last error: ${lastError}` : ''}
      </p>
      <h4>Request body</h4>
      <pre>{body}</pre>
      {attemptLog.length === 0 ? <Empty>No attempt yet.</Empty> : <ol className="attempts">{attemptLog.map((a, i) => <AttemptDetail key={i} attempt={a} index={i} />)}</ol>}
    </div>
  );
}
