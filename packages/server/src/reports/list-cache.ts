/**
 * Serialized list responses, keyed by the organisation's reports revision and the normalised
 * filter. The revision is read from the database on every request and every report change
 * increments it in its own transaction, so a cached body is never served after a change, in this
 * process or any other: a changed organisation simply misses. Bounded by total bytes; least
 * recently used entries go first.
 */
export class ListResponseCache {
  private readonly entries = new Map<string, string>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = 8 * 1024 * 1024,
    private readonly maxEntryBytes = 256 * 1024,
  ) {}

  get(key: string): string | undefined {
    const body = this.entries.get(key);
    if (body !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, body);
    }
    return body;
  }

  /** Keys count against the budget too: callers choose them, so they must not grow memory unbounded. */
  set(key: string, body: string): void {
    const cost = key.length + body.length;
    if (cost > this.maxEntryBytes || this.entries.has(key)) return;
    this.entries.set(key, body);
    this.bytes += cost;
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= oldest.length + value.length;
    }
  }

  /** Bytes held (keys and bodies), for tests and metrics. */
  get heldBytes(): number {
    return this.bytes;
  }

  get size(): number {
    return this.entries.size;
  }
}
