import type { Delivery } from './webhook-types.ts';

/** The server's order for the delivery log: newest first, by createdAt then id (delivery-store.ts). */
export function compareDeliveries(a: Delivery, b: Delivery): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}

/**
 * A refreshed first page merged with the rows already shown (earlier pages loaded with "Load
 * more"). Fresh rows win (their status changed); a row that slid off the first page because newer
 * ones arrived stays, so the list has no gap before the next page's cursor. The result is sorted
 * in the server's order.
 */
export function mergeDeliveries(fresh: readonly Delivery[], shown: readonly Delivery[]): Delivery[] {
  const byId = new Map<string, Delivery>();
  for (const delivery of shown) byId.set(delivery.id, delivery);
  for (const delivery of fresh) byId.set(delivery.id, delivery);
  return [...byId.values()].sort(compareDeliveries);
}

/** `YYYY-MM-DDTHH:mm` in local time, the value a datetime-local input takes. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The bulk redeliver body from two datetime-local values (local time). `until` covers its whole
 * minute, so "until 14:05" includes a delivery created at 14:05:30.
 */
export function redeliverRange(sinceLocal: string, untilLocal: string): { since: string; until: string } | { error: string } {
  const since = new Date(sinceLocal);
  const until = new Date(untilLocal);
  if (!sinceLocal || Number.isNaN(since.getTime())) return { error: 'Enter the start of the time range' };
  if (!untilLocal || Number.isNaN(until.getTime())) return { error: 'Enter the end of the time range' };
  const untilEnd = new Date(until.getTime() + 59_999);
  if (since.getTime() > untilEnd.getTime()) return { error: 'The start is after the end' };
  return { since: since.toISOString(), until: untilEnd.toISOString() };
}
