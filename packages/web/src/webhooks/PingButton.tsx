import { useEffect, useRef, useState } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { ErrorMessage } from '../components/Status.tsx';
import { webhookUrl, type DeliveryDetail } from './webhook-types.ts';
import { describePing } from './ping.ts';

const POLL_MS = 400;
const GIVE_UP_MS = 20_000;

/**
 * "Send test ping": the server queues a webhook.ping delivery (202) and the dispatcher sends it;
 * this polls that delivery until its first attempt is recorded and says what happened.
 */
export function PingButton({ orgId, webhookId, onSent }: { orgId: string; webhookId: string; onSent: () => void }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);

  const ping = async () => {
    setBusy(true);
    setError(null);
    setResult('Sending ping…');
    try {
      const { deliveryId } = await api.post<{ deliveryId: string }>(`${webhookUrl(orgId, webhookId)}/ping`);
      const deadline = Date.now() + GIVE_UP_MS;
      for (;;) {
        const delivery = await api.get<DeliveryDetail>(`/api/orgs/${orgId}/deliveries/${deliveryId}`);
        if (!alive.current) return;
        if (delivery.attemptLog.length > 0 || Date.now() > deadline) {
          setResult(delivery.attemptLog.length > 0 ? describePing(delivery) : 'Ping queued; no attempt yet. Check the delivery log.');
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      onSent();
    } catch (caught) {
      setResult(null);
      setError(errorMessage(caught));
    } finally {
      if (alive.current) setBusy(false);
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
