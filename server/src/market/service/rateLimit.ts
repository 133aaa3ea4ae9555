/**
 * How many writes of each kind one user (all of their tokens together) may make per hour. Small on purpose: a
 * person rates or reviews a handful of entries in an hour; a script flooding the service is what this stops.
 */
export const WRITE_BUDGETS = {
  review: 5,
  rating: 20,
  install: 60,
} as const;

export type WriteKind = keyof typeof WRITE_BUDGETS;

const WINDOW_MS = 60 * 60 * 1000;

/** A sliding one-hour window of accepted writes per user and kind, kept in the service's memory. */
export class WriteLimiter {
  private readonly accepted = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds until `user` may make another `kind` write; 0 when they may now. */
  retryAfter(user: string, kind: WriteKind): number {
    const times = this.recent(`${kind}\n${user}`);
    if (times.length < WRITE_BUDGETS[kind]) return 0;
    return Math.max(1, Math.ceil((times[0]! + WINDOW_MS - this.now()) / 1000));
  }

  record(user: string, kind: WriteKind): void {
    const key = `${kind}\n${user}`;
    this.accepted.set(key, [...this.recent(key), this.now()]);
  }

  private recent(key: string): number[] {
    const since = this.now() - WINDOW_MS;
    const times = (this.accepted.get(key) ?? []).filter((t) => t > since);
    if (times.length) this.accepted.set(key, times);
    else this.accepted.delete(key);
    return times;
  }
}
