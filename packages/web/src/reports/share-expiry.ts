const DAY_MS = 24 * 60 * 60 * 1000;

/** The `expiresAt` of a link valid for `days` whole days from `now`, or what is wrong with the input. */
export function shareExpiry(days: string, now: number): string | { error: string } {
  const count = Number(days.trim());
  if (days.trim() === '' || !Number.isInteger(count) || count < 1) return { error: 'Enter how many days the link works (a whole number, 1 or more)' };
  if (count > 90) return { error: 'A link works for at most 90 days' };
  return new Date(now + count * DAY_MS).toISOString();
}
