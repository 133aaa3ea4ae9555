import type { AgentEvent } from './events';

export type ReviewEvent = Extract<AgentEvent, { kind: 'review' }>;

/** What an accepted delivery asks for, in a form a job queue can carry (plain JSON). */
export type Work = { readonly kind: 'sync'; readonly repository: string } | { readonly kind: 'review'; readonly repository: string; readonly event: ReviewEvent };

/** The outcome of recording a delivery. */
export interface Receipt {
  /** Set when the delivery was received before (a replay): nothing was queued. */
  readonly duplicateOf?: Date;
}

/** Where authenticated deliveries go: their key is recorded and their work queued in one step. */
export interface Intake {
  /** Resolves once the key and the work are durable; throws (nothing recorded) when they cannot be. */
  receive(key: string, work: Work | undefined): Promise<Receipt>;
}
