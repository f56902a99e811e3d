/** The seed formats timestamps with an explicit +00:00 offset; every timestamp Arkiv writes does too. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}
