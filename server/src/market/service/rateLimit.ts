import { HttpError } from './http';
import type { MarketStore } from './store';

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

/**
 * A sliding one-hour window of writes per user and kind, kept in the store, so replicas share it. A write holds its
 * place while it runs (a burst cannot slip past the budget) and gives it back unless it is accepted.
 */
export class WriteBudget {
  constructor(private readonly store: MarketStore) {}

  /** Runs `action` as one `kind` write of `user`, or answers 429 with when to try again. */
  async spend<T>(user: string, kind: WriteKind, action: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const place = await this.store.takeWrite(user, kind, WRITE_BUDGETS[kind], new Date(now - WINDOW_MS), new Date(now));
    if ('oldest' in place) {
      const wait = Math.max(1, Math.ceil((Date.parse(place.oldest) + WINDOW_MS - now) / 1000));
      throw new HttpError(429, `too many ${kind} writes from this user; try again in ${wait} s`, { 'retry-after': String(wait) });
    }
    try {
      return await action();
    } catch (error) {
      await this.store.returnWrite(place.id);
      throw error;
    }
  }
}
