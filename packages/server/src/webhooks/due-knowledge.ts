/**
 * What the dispatcher's last claims showed about due deliveries. A claim that saw less than its
 * scan window saw every due row of every endpoint not at its limit: the rows it left belong to
 * endpoints that were full. While all of those are still full, claiming again at once would skip
 * them all and, on a large backlog of one busy endpoint, read that backlog to find nothing.
 *
 * The knowledge is forgotten on a wake-up (a commit or redelivery may have added due rows) and
 * after one poll interval (retries fall due by time alone), by the wall clock or the context's.
 */
export class DueKnowledge {
  private known: { leftFor: Set<string>; at: number; atClock: number } | undefined;

  constructor(
    private readonly pollMs: number,
    private readonly clock: () => number,
  ) {}

  forget(): void {
    this.known = undefined;
  }

  /** After a claim: `leftFor` are the endpoints full before it or filled by it. */
  learn(sawWholeWindow: boolean, leftFor: Iterable<string>): void {
    // A full window may have left anything unseen; what was known before still holds.
    if (sawWholeWindow) return;
    this.known = { leftFor: new Set(leftFor), at: performance.now(), atClock: this.clock() };
  }

  /** Whether only endpoints that are full now can have due rows nobody has claimed. */
  onlyFullEndpointsDue(isFull: (endpointId: string) => boolean): boolean {
    if (this.known === undefined) return false;
    if (performance.now() - this.known.at >= this.pollMs || this.clock() - this.known.atClock >= this.pollMs) {
      this.known = undefined;
      return false;
    }
    return [...this.known.leftFor].every(isFull);
  }
}
