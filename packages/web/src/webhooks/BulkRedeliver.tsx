import { useState, type FormEvent } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { Field } from '../components/Field.tsx';
import { ErrorMessage, Notice } from '../components/Status.tsx';
import { webhookUrl } from './webhook-types.ts';
import { redeliverRange, toLocalInput } from './delivery-paging.ts';

/**
 * "Redeliver failed…": queues every failed or abandoned delivery created in a time range again
 * (same delivery ids and bodies), e.g. after the receiver was down. Defaults to the last 24 hours.
 */
export function BulkRedeliver({ orgId, webhookId, onQueued }: { orgId: string; webhookId: string; onQueued: () => void }) {
  const [open, setOpen] = useState(false);
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const start = () => {
    const now = new Date();
    setSince(toLocalInput(new Date(now.getTime() - 24 * 3600_000)));
    setUntil(toLocalInput(now));
    setError(null);
    setNotice(null);
    setOpen(true);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setNotice(null);
    const range = redeliverRange(since, until);
    if ('error' in range) return setError(range.error);
    setBusy(true);
    try {
      const { redelivered } = await api.post<{ redelivered: number }>(`${webhookUrl(orgId, webhookId)}/deliveries/redeliver`, range);
      setNotice(redelivered === 0 ? 'No failed or abandoned deliveries in that range.' : `${redelivered} ${redelivered === 1 ? 'delivery' : 'deliveries'} queued again.`);
      setOpen(false);
      onQueued();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="bulk-redeliver">
      {open ? (
        <form className="inline-form" aria-label="Redeliver failed deliveries" onSubmit={submit}>
          <Field label="Created from">
            <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
          </Field>
          <Field label="Created until">
            <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
          </Field>
          <button type="submit" className="primary" disabled={busy}>
            Redeliver failed deliveries
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" onClick={start}>
          Redeliver failed…
        </button>
      )}
      <ErrorMessage message={error} />
      {notice ? <Notice>{notice}</Notice> : null}
    </div>
  );
}
