import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { toApplicationFailure } from '../activities/failures';

/**
 * Every activity's failure leaves the worker classified and safe for history, whichever activity
 * threw it: our errors keep their type, message and retryability; anything else is reduced to its
 * class and code (library messages can quote data). One mechanism instead of a wrapper per activity.
 */
export const classifyActivityFailures: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        // Temporal's own (a cancellation) stays as it is; an ApplicationFailure only loses its stack.
        if (err instanceof TemporalFailure && !(err instanceof ApplicationFailure)) throw err;
        throw toApplicationFailure(err, ctx.info.activityType);
      }
    },
  },
});
