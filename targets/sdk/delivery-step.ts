import type { RenderResult } from '../../activities/build-checkpoint';
import type { DeliveryOutcome } from './delivery';

/**
 * The step protocol: a target without workflow code of its own names one activity (its definition's
 * `deliveryStep`), and the shared driver (step-delivery.ts) calls it until it answers `delivered`.
 * The activity keeps its progress in the store; what comes back here is small and holds no employee
 * data (it is workflow history).
 */
export interface DeliveryStepInput {
  runId: string;
  artifacts: RenderResult['artifacts'];
  /** Set once an operator approved the hold this step asked for. */
  approved?: boolean;
}

export type DeliveryStepResult =
  /** Done: where the run went and what the target refused. */
  | { kind: 'delivered'; outcome: DeliveryOutcome }
  /**
   * Call again after a durable timer (a 429's Retry-After): the activity recorded the wait.
   * `progressed`: it got something done before it had to wait (the driver gives up only on waits
   * with nothing done between them).
   */
  | { kind: 'wait'; ms: number; reason: string; progressed?: boolean }
  /** Ask an operator first (a safety rule tripped against the target's own state); call again with `approved`. */
  | { kind: 'hold'; reasons: string[]; expiresAfterMs: number; expiresAfter: string }
  /** More to do: call again at once (keeps each activity short). */
  | { kind: 'continue' };

export type DeliveryStepActivity = (input: DeliveryStepInput) => Promise<DeliveryStepResult>;
