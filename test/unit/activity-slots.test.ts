import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activitySlotsFromEnv, DEFAULT_ACTIVITY_SLOTS } from '../../worker/activity-slots';

const ROOT = join(__dirname, '..', '..');

describe('ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES', () => {
  it('defaults when unset or empty and takes a whole number', () => {
    expect(activitySlotsFromEnv({})).toBe(DEFAULT_ACTIVITY_SLOTS);
    expect(activitySlotsFromEnv({ ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES: '' })).toBe(DEFAULT_ACTIVITY_SLOTS);
    expect(activitySlotsFromEnv({ ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES: ' 12 ' })).toBe(12);
  });

  it.each(['0', '2.5', 'four', '-1', '1001'])('refuses "%s" in one sentence naming the setting', (value) => {
    expect(() => activitySlotsFromEnv({ ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES: value })).toThrow(
      `ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES must be a whole number from 1 to 1000 (got "${value}")`,
    );
  });

  it('stops the worker process before it connects, with that sentence and no stack', () => {
    const worker = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'worker', 'main.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES: 'lots',
        // Nothing listens here: the worker must not get as far as trying.
        MONGODB_URI: 'mongodb://127.0.0.1:9/none',
        TEMPORAL_ADDRESS: '127.0.0.1:9',
      },
    });
    expect(worker.status).toBe(1);
    expect(worker.stderr.trim()).toBe(
      'rosterflow worker: ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES must be a whole number from 1 to 1000 (got "lots")',
    );
  });
});
