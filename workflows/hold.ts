import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { parseHoldDecision } from '../core/safety-rules';
import type { HoldDecisionInput } from '../core/safety-rules';
import type { HoldReporter } from './run-tracker';

export type { HoldDecisionInput } from '../core/safety-rules';

/**
 * Operator holds. When a safety rule trips, the run neither delivers (that could deactivate people
 * who did not leave) nor fails outright (the change may be real: a site closed, a reorganisation):
 * it waits, durably, for a person to decide. The wait is a Temporal condition with a timeout, so it
 * costs nothing while it lasts and survives worker restarts; an unanswered hold fails the run.
 *
 * The hold is visible in four places: the run store (`rosterflow holds`, status `held`), the Web
 * UI's "current details" of the workflow and its `RosterflowStatus` search attribute (both kept by
 * workflows/run-tracker.ts), and the `hold` query. It is answered by the `decideHold`
 * Update (validated: rejected when nothing is pending or the input is bad, so the caller learns at
 * once) or by the `decideHold` Signal of the same shape, which the Web UI can send with a JSON body.
 * Everything here is counts, ids and the operator's own name and reason: never employee data.
 */

/** The hold a run is waiting on, as the `hold` query returns it. */
export interface PendingHold {
  reasons: string[];
  /** ISO times. */
  since: string;
  expiresAt: string;
  source: 'plan' | 'target-preview';
}

/** What the `decideHold` Update returns once the decision is recorded. */
export interface HoldDecisionOutcome {
  approved: boolean;
  by: string;
  at: string;
}

export const holdQuery = defineQuery<PendingHold | null>('hold');
export const decideHoldUpdate = defineUpdate<HoldDecisionOutcome, [HoldDecisionInput]>('decideHold');
export const decideHoldSignal = defineSignal<[HoldDecisionInput]>('decideHold');

const { holdRun, endHold } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // The run record must say a run is held (and how it ended) even if the store is down for a while.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

interface HoldState {
  pending: PendingHold | null;
  decision: (HoldDecisionInput & { at: string }) | null;
  /** Set once the decision is in the run record, so the Update answers only then. */
  recorded: boolean;
}

export interface HoldController {
  /**
   * Holds the run until an operator decides or the hold expires. Returns on approval; throws a
   * non-retryable HoldRejected or HoldExpired failure otherwise.
   */
  holdForDecision(hold: {
    runId: string;
    reasons: string[];
    source: PendingHold['source'];
    expiresAfterMs: number;
    /** For messages: the setting as written, e.g. "24h". */
    expiresAfter: string;
  }): Promise<void>;
}

/** Installs the query, Update and Signal handlers; call once, at the start of the workflow. */
export function installHoldHandlers(waits: HoldReporter): HoldController {
  const state: HoldState = { pending: null, decision: null, recorded: false };

  setHandler(holdQuery, () => state.pending);

  setHandler(
    decideHoldUpdate,
    async (input): Promise<HoldDecisionOutcome> => {
      const decision = parseHoldDecision(input);
      // The validator has refused anything else; this keeps the types honest.
      if (typeof decision === 'string') throw ApplicationFailure.nonRetryable(decision, 'InvalidInput');
      state.decision ??= { ...decision, at: new Date().toISOString() };
      await condition(() => state.recorded);
      return { approved: state.decision.approve, by: state.decision.by, at: state.decision.at };
    },
    {
      validator: (input) => {
        if (state.pending === null) throw new Error('This run is not held: there is nothing to approve or reject');
        if (state.decision !== null) throw new Error(`This hold was already decided by ${state.decision.by}`);
        const decision = parseHoldDecision(input);
        if (typeof decision === 'string') throw new Error(decision);
      },
    },
  );

  setHandler(decideHoldSignal, (input) => {
    // A Signal cannot be refused: a late, repeated or malformed one is logged (no values) and ignored.
    if (state.pending === null || state.decision !== null) {
      log.warn('decideHold signal ignored: no hold is pending');
      return;
    }
    const decision = parseHoldDecision(input);
    if (typeof decision === 'string') {
      log.warn('decideHold signal ignored: the decision is invalid');
      return;
    }
    state.decision = { ...decision, at: new Date().toISOString() };
  });

  return {
    async holdForDecision({ runId, reasons, source, expiresAfterMs, expiresAfter }) {
      // A run can be held twice (its plan, then a target's preview): each hold takes a fresh decision.
      state.decision = null;
      state.recorded = false;
      const since = new Date();
      const expiresAt = new Date(since.getTime() + expiresAfterMs);
      const pending: PendingHold = { reasons, since: since.toISOString(), expiresAt: expiresAt.toISOString(), source };
      // Recorded before the hold can be answered, so the run store never lags behind a decision.
      await holdRun({ runId, ...pending });
      state.pending = pending;
      waits.waiting({ kind: 'hold', reasons, since: pending.since, expiresAt: pending.expiresAt });

      const decided = await condition(() => state.decision !== null, expiresAfterMs);
      state.pending = null;
      // Set by a handler while the condition waited (TypeScript cannot see that).
      const decision = state.decision as HoldState['decision'];
      if (!decided || decision === null) {
        waits.holdEnded({ outcome: 'expired', at: new Date().toISOString() });
        await endHold({ runId });
        throw ApplicationFailure.nonRetryable(
          `The run was held (${reasons.join('; ')}) and nobody approved or rejected it within ${expiresAfter}; nothing was delivered`,
          'HoldExpired',
        );
      }
      await endHold({ runId, decision });
      state.recorded = true;
      // Let the Update answer its caller before the run moves on (or fails, on a rejection).
      await condition(allHandlersFinished);
      waits.holdEnded({ outcome: decision.approve ? 'approved' : 'rejected', by: decision.by, at: decision.at });
      if (!decision.approve) {
        throw ApplicationFailure.nonRetryable(
          `The hold was rejected by ${decision.by}; nothing was delivered (their reason is in the run record)`,
          'HoldRejected',
        );
      }
    },
  };
}
