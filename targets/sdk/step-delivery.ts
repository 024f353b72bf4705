import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import { PERMANENT_ERROR_TYPES } from '../../core/errors';
import type { DeliveryStepActivity } from './delivery-step';
import type { TargetDelivery } from './delivery';

const steps = proxyActivities<Record<string, DeliveryStepActivity>>({
  startToCloseTimeout: '30 minutes',
  // A step heartbeats per record: a killed worker's step is retried elsewhere within half a minute,
  // and the retry carries on from the records the store says are done.
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '5 seconds',
    maximumInterval: '2 minutes',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
  },
});

/** Waits in a row with nothing done between them before the run gives up on the target. */
const MAX_WAITS_IN_A_ROW = 20;

/**
 * The shared workflow side of every target delivered by steps (its definition names the activity):
 * call the step; sleep on a durable timer when it says wait; hold for an operator when it asks; stop
 * when it says delivered. Deterministic: activities and timers only.
 */
export function stepDelivery(activityName: string): TargetDelivery {
  return async ({ runId, artifacts, holds, waits: reporter }) => {
    const step = steps[activityName]!;
    let approved = false;
    let waits = 0;
    for (;;) {
      const result = await step({ runId, artifacts, ...(approved ? { approved } : {}) });
      switch (result.kind) {
        case 'delivered':
          return result.outcome;
        case 'wait':
          if (result.progressed) waits = 0;
          if (++waits > MAX_WAITS_IN_A_ROW) {
            throw ApplicationFailure.nonRetryable(
              `The target asked to wait ${MAX_WAITS_IN_A_ROW} times in a row (${result.reason}); giving up`,
              'RateLimited',
            );
          }
          reporter.waiting({
            kind: 'rate-limit',
            reason: result.reason,
            since: new Date().toISOString(),
            until: new Date(Date.now() + result.ms).toISOString(),
          });
          await sleep(result.ms);
          reporter.waitOver();
          break;
        case 'hold':
          // Returns on approval; a rejected or expired hold fails the run with nothing more sent.
          await holds.holdForDecision({ runId, source: 'target-preview', ...result });
          approved = true;
          waits = 0;
          break;
        case 'continue':
          waits = 0;
          break;
      }
    }
  };
}
