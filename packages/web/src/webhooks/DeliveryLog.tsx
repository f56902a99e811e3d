import { useEffect, useState } from 'react';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { useLoad } from '../lib/use-load.ts';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status.tsx';
import { listFrom, webhookUrl, type Delivery } from './webhook-types.ts';
import { DeliveryDetailView, when } from './DeliveryDetail.tsx';

/** The endpoint's deliveries, newest first: status, attempts, timing, detail, Redeliver. */
export function DeliveryLog({ orgId, webhookId, refresh }: { orgId: string; webhookId: string; refresh: number }) {
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useLoad(
    () => api.get<unknown>(`${webhookUrl(orgId, webhookId)}/deliveries${status ? `?status=${status}` : ''}`).then((body) => listFrom<Delivery>(body, 'deliveries', 'items')),
    [orgId, webhookId, status, refresh],
  );
  // While a delivery is due soon, keep the log current without a click.
  const dueSoon = (list.data ?? []).some((d) => d.status === 'pending' && (!d.nextAttemptAt || Date.parse(d.nextAttemptAt) < Date.now() + 30_000));
  useEffect(() => {
    if (!dueSoon || list.loading) return;
    const timer = window.setTimeout(list.reload, 1000);
    return () => window.clearTimeout(timer);
  }, [dueSoon, list.loading, list.reload]);
  const redeliver = async (id: string) => {
    setError(null);
    setNotice(null);
    try {
      await api.post(`/api/orgs/${orgId}/deliveries/${id}/redeliver`);
      setNotice('Redelivery queued: a new attempt is on its way.');
      list.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  return (
    <section className="delivery-log" aria-labelledby="deliveries-title">
      <div className="page-head">
        <h3 id="deliveries-title">Delivery log</h3>
        <label className="inline-label">
          <span>Status</span>
          <select value={status} aria-label="Delivery status" onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            <option value="pending">Pending</option>
            <option value="succeeded">Succeeded</option>
            <option value="failed">Failed</option>
            <option value="abandoned">Abandoned</option>
          </select>
        </label>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </div>
      <ErrorMessage message={error ?? list.error} onRetry={list.error ? list.reload : undefined} />
      {notice ? <Notice>{notice}</Notice> : null}
      {list.loading && !list.data ? <Loading what="deliveries" /> : null}
      {list.data && list.data.length === 0 ? <Empty>No deliveries yet. Send a test ping to try the endpoint.</Empty> : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-scroll">
          <table className="deliveries">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Created</th>
                <th scope="col">Next attempt</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((delivery) => (
                <DeliveryRow key={delivery.id} orgId={orgId} delivery={delivery} open={open === delivery.id} onToggle={() => setOpen(open === delivery.id ? null : delivery.id)} onRedeliver={() => void redeliver(delivery.id)} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function DeliveryRow({ orgId, delivery, open, onToggle, onRedeliver }: { orgId: string; delivery: Delivery; open: boolean; onToggle: () => void; onRedeliver: () => void }) {
  return (
    <>
      <tr data-delivery-id={delivery.id}>
        <td className="mono">{delivery.event}</td>
        <td>
          <span className={`pill status-${delivery.status}`}>{delivery.status}</span>
          {delivery.lastStatus ? ` (HTTP ${delivery.lastStatus})` : ''}
        </td>
        <td className="numeric">{delivery.attempts}</td>
        <td>{when(delivery.createdAt)}</td>
        <td>{delivery.status === 'pending' ? when(delivery.nextAttemptAt) : '—'}</td>
        <td>
          <span className="row-actions">
            <button type="button" aria-expanded={open} onClick={onToggle}>
              {open ? 'Hide details' : 'Details'}
            </button>
            {/* Pending too: a delivery waiting for its next retry is sent now. */}
            <button type="button" onClick={onRedeliver}>
              Redeliver
            </button>
          </span>
        </td>
      </tr>
      {open ? (
        <tr className="detail-row">
          <td colSpan={6}>
            <DeliveryDetailView orgId={orgId} deliveryId={delivery.id} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
