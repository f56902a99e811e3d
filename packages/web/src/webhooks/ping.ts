import type { DeliveryDetail } from './webhook-types.ts';

/** One line saying how the ping's delivery went, from its first finished attempt. */
export function describePing(delivery: Pick<DeliveryDetail, 'status' | 'attemptLog'>): string {
  const attempt = delivery.attemptLog[delivery.attemptLog.length - 1];
  if (!attempt) return 'Ping queued; waiting for the first attempt…';
  const answer = attempt.responseStatus !== null && attempt.responseStatus !== undefined ? `the endpoint answered HTTP ${attempt.responseStatus}` : `no answer (${attempt.error ?? 'unknown error'})`;
  const verdict = delivery.status === 'succeeded' ? 'Ping delivered' : 'Ping failed';
  return `${verdict}: ${answer} in ${attempt.durationMs} ms`;
}
