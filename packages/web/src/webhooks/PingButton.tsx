import { useState } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { ErrorMessage } from '../components/Status.tsx';
import { webhookUrl } from './webhook-types.ts';

export interface PingResult {
  deliveryId?: string;
  id?: string;
  status?: string;
  responseStatus?: number | null;
  durationMs?: number;
  error?: string | null;
}

/** One line saying what the ping did, whatever subset of fields the server reports. */
export function describePing(result: PingResult): string {
  const parts: string[] = [];
  if (result.status) parts.push(`Ping ${result.status}`);
  else parts.push('Ping sent');
  if (result.responseStatus !== undefined && result.responseStatus !== null) parts.push(`endpoint answered HTTP ${result.responseStatus}`);
  if (result.durationMs !== undefined) parts.push(`in ${result.durationMs} ms`);
  if (result.error) parts.push(`error: ${result.error}`);
  return parts.join(', ');
}

/** "Send test ping": a webhook.ping event to this endpoint now; the result shows here and in the log. */
export function PingButton({ orgId, webhookId, onSent }: { orgId: string; webhookId: string; onSent: () => void }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ping = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(describePing(await api.post<PingResult>(`${webhookUrl(orgId, webhookId)}/ping`)));
      onSent();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="ping">
      <button type="button" onClick={ping} disabled={busy}>
        {busy ? 'Sending…' : 'Send test ping'}
      </button>
      <span className="ping-result" role="status" aria-live="polite">
        {result}
      </span>
      <ErrorMessage message={error} />
    </div>
  );
}
