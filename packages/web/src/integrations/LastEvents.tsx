import { Empty } from '../components/Status.tsx';
import { when } from '../webhooks/DeliveryDetail.tsx';
import type { ConnectionEvent, EventStatus } from './integration-types.ts';

/** Pill colour per inbound event status: done, on its way, or needing attention. */
const STATUS_CLASS: Record<EventStatus, string> = {
  imported: 'status-succeeded',
  received: 'status-succeeded',
  queued: 'status-pending',
  retrying: 'status-pending',
  ignored: 'status-pending',
  failed: 'status-failed',
};

/** The connection's last received webhook calls, newest first (the API keeps the last ten here). */
export function LastEvents({ events, title }: { events: ConnectionEvent[]; title: string }) {
  return (
    <section aria-label={title}>
      <h3>Last events received</h3>
      {events.length === 0 ? (
        <Empty>No events yet. Paste the webhook URL and secret into the other product, then trigger an analysis or evaluation.</Empty>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id} data-event-id={event.id}>
                  <td>{when(event.receivedAt)}</td>
                  <td className="mono" title={`Delivery ${event.deliveryId}`}>
                    {event.eventType}
                  </td>
                  <td>
                    <span className={`pill ${STATUS_CLASS[event.status] ?? ''}`}>{event.status}</span>
                  </td>
                  <td>{event.detail ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
