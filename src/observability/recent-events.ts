/**
 * Instants of recent occurrences, for "how many in the last N minutes" (the health indicator's rejected
 * notifications). Bounded: only the newest `capacity` are kept, which is more than any sane threshold.
 */
export class RecentEvents {
  private readonly times: number[] = [];

  constructor(private readonly capacity = 1_000) {}

  add(at: Date): void {
    this.times.push(at.getTime());
    if (this.times.length > this.capacity) this.times.shift();
  }

  /** How many happened after `since`. */
  countSince(since: Date): number {
    const from = since.getTime();
    // Not assumed sorted: a test clock (or an operator) may set the module clock back.
    return this.times.reduce((count, at) => (at > from ? count + 1 : count), 0);
  }
}
