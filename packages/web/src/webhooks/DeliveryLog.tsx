import { useEffect, useRef, useState } from 'react';
import { api, withQuery } from '../lib/api.ts';
import { errorMessage } from '../lib/problem.ts';
import { useLoad } from '../lib/use-load.ts';
import { Empty, ErrorMessage, Loading, Notice } from '../components/Status.tsx';
import { listFrom, webhookUrl, type Delivery } from './webhook-types.ts';
import { DeliveryDetailView, when } from './DeliveryDetail.tsx';
import { BulkRedeliver } from './BulkRedeliver.tsx';
import { mergeDeliveries } from './delivery-paging.ts';

type Page = { deliveries: Delivery[]; nextCursor: string | null; limit: number };

const PAGE = 50;
/** The list API's largest page: a reload refetches up to this many shown rows in one request. */
const MAX_LIMIT = 500;

/** The endpoint's deliveries, newest first, 50 a page: status, attempts, timing, detail, Redeliver, Load more, bulk redeliver. */
export function DeliveryLog({ orgId, webhookId, refresh }: { orgId: string; webhookId: string; refresh: number }) {
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const page = (cursor?: string, limit = PAGE): Promise<Page> =>
    api
      .get<{ nextCursor?: string | null }>(withQuery(`${webhookUrl(orgId, webhookId)}/deliveries`, { status, cursor, limit }))
      .then((body) => ({ deliveries: listFrom<Delivery>(body, 'deliveries', 'items'), nextCursor: body?.nextCursor ?? null, limit }));
  // A reload (Refresh, polling, after a redelivery) fetches from the top as many rows as are shown,
  // so every shown row gets its current status. "Load more" follows the cursor and adds a page.
  const shown = useRef(0);
  const first = useLoad(() => page(undefined, Math.min(MAX_LIMIT, Math.max(PAGE, shown.current))), [orgId, webhookId, status, refresh]);
  const [more, setMore] = useState<Page | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // Rows loaded beyond what the last reload covered (more than MAX_LIMIT shown) stay, merged without gaps.
  const extra = first.data && more && more.deliveries.length > first.data.limit ? more : null;
  const rows = first.data ? (extra ? mergeDeliveries(first.data.deliveries, extra.deliveries) : first.data.deliveries) : undefined;
  const nextCursor = extra ? extra.nextCursor : first.data?.nextCursor ?? null;
  shown.current = rows?.length ?? 0;
  const list = { ...first, data: rows };
  const loadMore = async () => {
    if (!nextCursor || !rows) return;
    setLoadingMore(true);
    setError(null);
    try {
      const next = await page(nextCursor);
      setMore({ deliveries: mergeDeliveries(next.deliveries, rows), nextCursor: next.nextCursor, limit: next.limit });
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setLoadingMore(false);
    }
  };
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
          <select value={status} aria-label="Delivery status" onChange={(e) => { setMore(null); shown.current = 0; setStatus(e.target.value); }}>
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
      <BulkRedeliver orgId={orgId} webhookId={webhookId} onQueued={list.reload} />
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
      {list.data && nextCursor ? (
        <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
      {more && !nextCursor ? <p className="hint">All {list.data?.length} deliveries shown.</p> : null}
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
