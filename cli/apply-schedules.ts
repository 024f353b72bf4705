import { ScheduleNotFoundError } from '@temporalio/client';
import type { Client, ScheduleUpdateOptions } from '@temporalio/client';
import { RosterflowError } from '../core/errors';
import type { RosterflowConfig, SyncConfig } from '../config/schema';
import {
  FINGERPRINT_MEMO,
  PAUSED_MEMO,
  desiredSchedule,
  isManaged,
  scheduleIdFor,
  syncIdOf,
} from './schedules/desired';
import type { DesiredSchedule } from './schedules/desired';
import { changedSettings, currentSettings, describeChange } from './schedules/settings';
import { carryOutWatchdog, planWatchdog } from './schedules/watchdog';

export { SCHEDULE_ID_PREFIX, scheduleIdFor } from './schedules/desired';

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged' | 'deleted' | 'not scheduled';

export interface ScheduleChange {
  scheduleId: string;
  /** The sync the schedule runs; absent for the stale-sync watchdog's (cli/schedules/watchdog.ts). */
  syncId?: string;
  outcome: ScheduleOutcome;
  /** For `updated`: each setting that changes, `timezone Europe/Berlin -> Asia/Kolkata`. */
  changes?: string[];
  note?: string;
}

/** A change and what carries it out. */
interface PlannedChange extends ScheduleChange {
  syncId: string;
  desired?: DesiredSchedule;
  schedule?: SyncConfig['schedule'];
  /** For an update that keeps the pause state (and its note) Temporal has. */
  keepState?: ScheduleUpdateOptions['state'];
}

/**
 * Makes Temporal's schedules match the config: one per scheduled sync, created or updated in place.
 * Applying the same config twice changes nothing. Schedules of syncs no longer in the config are
 * only deleted with `prune`, so a typo in the config cannot silently stop a nightly sync. Last, the
 * stale-sync watchdog's schedule: made while any sync alerts on `stale`, deleted when none does. With
 * `dryRun`, says what it would do and changes nothing.
 */
export async function applySchedules(
  client: Client,
  config: RosterflowConfig,
  options: { taskQueue: string; prune: boolean; dryRun?: boolean },
): Promise<ScheduleChange[]> {
  const plan = await planSchedules(client, config, options);
  const watchdog = await planWatchdog(client, config, options.taskQueue).catch(watchdogFailed);
  if (!options.dryRun) {
    for (const change of plan) await carryOut(client, change).catch(failedFor(change.syncId, change.schedule));
    if (watchdog) await carryOutWatchdog(client, watchdog).catch(watchdogFailed);
  }
  return [
    ...plan.map(({ desired: _desired, schedule: _schedule, keepState: _keepState, ...change }) => change),
    ...(watchdog ? [watchdog.change] : []),
  ];
}

async function planSchedules(
  client: Client,
  config: RosterflowConfig,
  options: { taskQueue: string; prune: boolean },
): Promise<PlannedChange[]> {
  const plan: PlannedChange[] = [];
  for (const sync of config.syncs) {
    const scheduleId = scheduleIdFor(sync.id);
    if (!sync.schedule) {
      plan.push({ scheduleId, syncId: sync.id, outcome: 'not scheduled' });
      continue;
    }
    const desired = desiredSchedule(sync, sync.schedule, options.taskQueue);
    const compared = await compare(client, desired).catch(failedFor(sync.id, sync.schedule));
    plan.push({ scheduleId, syncId: sync.id, desired, schedule: sync.schedule, ...compared });
  }

  const declared = new Set(config.syncs.map((sync) => scheduleIdFor(sync.id)));
  for await (const summary of client.schedule.list()) {
    if (!isManaged(summary.memo) || declared.has(summary.scheduleId)) continue;
    const syncId = syncIdOf(summary.scheduleId, summary.memo);
    plan.push(
      options.prune
        ? { scheduleId: summary.scheduleId, syncId, outcome: 'deleted' }
        : {
            scheduleId: summary.scheduleId,
            syncId,
            outcome: 'unchanged',
            note: 'its sync is no longer in the config; pass --prune to delete it',
          },
    );
  }
  return plan;
}

/**
 * Whether a sync's schedule needs creating or updating, and which settings change. An update is due
 * when the config changed since the last apply (the fingerprint it recorded) or when the schedule
 * was edited in Temporal since. A pause or unpause made in Temporal (Web UI, `schedules pause`) is
 * no change, and an update keeps it, unless the config's own `paused` changed since the last apply.
 */
async function compare(
  client: Client,
  desired: DesiredSchedule,
): Promise<Pick<PlannedChange, 'outcome' | 'changes' | 'note' | 'keepState'>> {
  let current;
  try {
    current = await client.schedule.getHandle(desired.scheduleId).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return { outcome: 'created' };
    throw err;
  }
  const settings = currentSettings(current);
  const note =
    settings.paused === desired.settings.paused
      ? undefined
      : `${settings.paused ? 'paused' : 'active'} in Temporal while the config says ${settings.paused ? 'active' : 'paused'}`;
  const sameFingerprint = current.action.memo?.[FINGERPRINT_MEMO] === desired.fingerprint;
  const edited = changedSettings(settings, desired.settings, { includePaused: false });
  if (sameFingerprint && edited.length === 0) return { outcome: 'unchanged', ...(note ? { note } : {}) };

  // Unknown for a schedule applied before rosterflow recorded it: keep what Temporal has.
  const recordedPaused = current.action.memo?.[PAUSED_MEMO];
  if (recordedPaused === undefined || recordedPaused === desired.settings.paused) {
    const { paused, note: pauseNote } = current.state;
    return {
      outcome: 'updated',
      changes: edited.map(describeChange),
      keepState: { paused, ...(pauseNote === undefined ? {} : { note: pauseNote }) },
      ...(note ? { note } : edited.length === 0 ? { note: NOTHING_DIFFERS } : {}),
    };
  }
  const changes = changedSettings(settings, desired.settings, { includePaused: true }).map(describeChange);
  return { outcome: 'updated', changes, ...(changes.length === 0 ? { note: NOTHING_DIFFERS } : {}) };
}

const NOTHING_DIFFERS = 'no setting differs; it records what this apply sent';

async function carryOut(client: Client, change: PlannedChange): Promise<void> {
  const { desired } = change;
  if (change.outcome === 'created' && desired) await client.schedule.create(desired.create);
  if (change.outcome === 'updated' && desired) {
    const update = change.keepState ? { ...desired.update, state: change.keepState } : desired.update;
    await client.schedule.getHandle(desired.scheduleId).update(() => update);
  }
  if (change.outcome === 'deleted') await client.schedule.getHandle(change.scheduleId).delete();
}

function watchdogFailed(err: unknown): never {
  const reason = err instanceof Error ? err.message : String(err);
  throw new RosterflowError('DeliveryFailed', `Could not apply the stale-sync watchdog's schedule: ${reason}`, {
    cause: err,
  });
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
