import { TemporalFailure } from '@temporalio/common';
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
        // Already Temporal's own (an ApplicationFailure, a cancellation): leave it as it is.
        if (err instanceof TemporalFailure) throw err;
        throw toApplicationFailure(err, ctx.info.activityType);
      }
    },
  },
});
