import { createHash } from 'node:crypto';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Client, ScheduleOptions, ScheduleUpdateOptions } from '@temporalio/client';
import ms from 'ms';
import { RosterflowError } from '../core/errors';
import type { RosterflowConfig, SyncConfig } from '../config/schema';
import type { SyncRosterInput } from '../workflows/sync-roster-input';

export const SCHEDULE_ID_PREFIX = 'rosterflow-';
const MANAGED_BY = 'rosterflow';

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged' | 'deleted' | 'not scheduled';

export interface ScheduleChange {
  scheduleId: string;
  syncId: string;
  outcome: ScheduleOutcome;
  note?: string;
}

export const scheduleIdFor = (syncId: string) => `${SCHEDULE_ID_PREFIX}${syncId}`;

/**
 * Makes Temporal's schedules match the config: one per scheduled sync, created or updated in place.
 * Applying the same config twice changes nothing. Schedules of syncs no longer in the config are
 * only deleted with `prune`, so a typo in the config cannot silently stop a nightly sync.
 */
export async function applySchedules(
  client: Client,
  config: RosterflowConfig,
  options: { taskQueue: string; prune: boolean },
): Promise<ScheduleChange[]> {
  const changes: ScheduleChange[] = [];
  for (const sync of config.syncs) {
    const scheduleId = scheduleIdFor(sync.id);
    if (!sync.schedule) {
      changes.push({ scheduleId, syncId: sync.id, outcome: 'not scheduled' });
      continue;
    }
    const desired = desiredSchedule(sync, sync.schedule, options.taskQueue);
    changes.push({
      scheduleId,
      syncId: sync.id,
      ...(await upsert(client, desired).catch(failedFor(sync.id, sync.schedule))),
    });
  }

  const declared = new Set(config.syncs.map((sync) => scheduleIdFor(sync.id)));
  for await (const summary of client.schedule.list()) {
    if (summary.memo?.['managedBy'] !== MANAGED_BY || declared.has(summary.scheduleId)) continue;
    const syncId = summary.scheduleId.slice(SCHEDULE_ID_PREFIX.length);
    if (options.prune) {
      await client.schedule.getHandle(summary.scheduleId).delete().catch(failedFor(syncId));
      changes.push({ scheduleId: summary.scheduleId, syncId, outcome: 'deleted' });
    } else {
      changes.push({
        scheduleId: summary.scheduleId,
        syncId,
        outcome: 'unchanged',
        note: 'its sync is no longer in the config; pass --prune to delete it',
      });
    }
  }
  return changes;
}

/**
 * Any failure to create, update or delete a sync's schedule, as one sentence naming the sync.
 * Temporal refuses a spec it cannot run with INVALID_ARGUMENT, which its client raises as a TypeError.
 */
function failedFor(syncId: string, schedule?: SyncConfig['schedule']): (err: unknown) => never {
  return (err) => {
    const reason = err instanceof Error ? err.message : String(err);
    if (err instanceof TypeError) {
      const spec = schedule ? ` (cron "${schedule.cron}", timezone ${schedule.timezone})` : '';
      const message = `Temporal refused the schedule of sync "${syncId}"${spec}: ${reason}`;
      throw new RosterflowError('InvalidConfig', message, { cause: err });
    }
    const message = `Could not apply the schedule of sync "${syncId}": ${reason}`;
    throw new RosterflowError('DeliveryFailed', message, { cause: err });
  };
}

interface DesiredSchedule {
  fingerprint: string;
  paused: boolean;
  update: ScheduleUpdateOptions;
  create: ScheduleOptions;
}

function desiredSchedule(
  sync: SyncConfig,
  schedule: NonNullable<SyncConfig['schedule']>,
  taskQueue: string,
): DesiredSchedule {
  const args: [SyncRosterInput] = [{ syncId: sync.id }];
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ schedule, taskQueue, args }))
    .digest('hex')
    .slice(0, 16);
  const update: ScheduleUpdateOptions = {
    spec: { cronExpressions: [schedule.cron], timezone: schedule.timezone },
    action: {
      type: 'startWorkflow',
      workflowType: 'syncRoster',
      taskQueue,
      args,
      // The server appends the scheduled time, so every run has its own id.
      workflowId: `${scheduleIdFor(sync.id)}-scheduled`,
      memo: { rosterflowScheduleFingerprint: fingerprint },
    },
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: ms(schedule.catchupWindow as ms.StringValue),
      pauseOnFailure: false,
    },
    state: { paused: schedule.paused, note: `Managed by rosterflow (sync ${sync.id})` },
  };
  return {
    fingerprint,
    paused: schedule.paused,
    update,
    create: { ...update, scheduleId: scheduleIdFor(sync.id), memo: { managedBy: MANAGED_BY, syncId: sync.id } },
  };
}

async function upsert(client: Client, desired: DesiredSchedule): Promise<Pick<ScheduleChange, 'outcome' | 'note'>> {
  const handle = client.schedule.getHandle(desired.create.scheduleId);
  let current;
  try {
    current = await handle.describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    await client.schedule.create(desired.create);
    return { outcome: 'created' };
  }

  if (
    current.action.type === 'startWorkflow' &&
    current.action.memo?.['rosterflowScheduleFingerprint'] === desired.fingerprint
  ) {
    // A pause made in the Web UI is left alone until the config changes; say so.
    const note =
      current.state.paused && !desired.paused ? 'paused in Temporal while the config says active' : undefined;
    return { outcome: 'unchanged', ...(note ? { note } : {}) };
  }
  await handle.update(() => desired.update);
  return { outcome: 'updated' };
}
