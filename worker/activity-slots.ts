import { z } from 'zod';
import { readSetting } from '../core/env';
import { RosterflowError } from '../core/errors';

export const ACTIVITY_SLOTS_ENV = 'ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES';

/**
 * Activities one worker runs at once. Each build holds a page of employees, its render state and
 * store writes in flight, so the worker's memory grows with the builds it runs together; on a small
 * machine more than a few at once also only share the same cores. Runs beyond it wait in the task
 * queue (no timeout runs while they wait) and start as slots free up. Measured in docs/operations.md.
 */
export const DEFAULT_ACTIVITY_SLOTS = 4;

const SlotsSchema = z.coerce.number().int().min(1).max(1000);

/** ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES, or the default; a bad value is one sentence naming the setting. */
export function activitySlotsFromEnv(env: NodeJS.ProcessEnv): number {
  const text = readSetting(env, ACTIVITY_SLOTS_ENV);
  if (text === undefined) return DEFAULT_ACTIVITY_SLOTS;
  const parsed = SlotsSchema.safeParse(text.trim());
  if (!parsed.success) {
    throw new RosterflowError(
      'InvalidConfig',
      `${ACTIVITY_SLOTS_ENV} must be a whole number from 1 to 1000 (got "${text}")`,
    );
  }
  return parsed.data;
}
