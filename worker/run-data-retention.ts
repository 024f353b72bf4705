import ms from 'ms';
import { readSetting } from '../core/env';
import { RosterflowError } from '../core/errors';

/**
 * ROSTERFLOW_RUN_DATA_RETENTION: how long a finished run's artifact pages and change report (the
 * personal data a run keeps) are kept, e.g. `90d`; unset keeps them for good, as before.
 */
export function runDataRetentionFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const text = readSetting(env, 'ROSTERFLOW_RUN_DATA_RETENTION');
  if (text === undefined) return undefined;
  const millis = ms(text as ms.StringValue) as number | undefined;
  if (typeof millis !== 'number' || !Number.isFinite(millis) || millis < 60 * 60 * 1000) {
    throw new RosterflowError(
      'InvalidInput',
      `ROSTERFLOW_RUN_DATA_RETENTION must be a duration of an hour or more, such as "90d" or "30 days" (got "${text}")`,
    );
  }
  return millis;
}
