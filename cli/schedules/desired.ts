import { createHash } from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { ScheduleOptions, ScheduleUpdateOptions } from '@temporalio/client';
import ms from 'ms';
import type { ScheduleConfig, SyncConfig } from '../../config/schema';
import { runSummary } from '../../core/run-summary';
import type { SyncRosterInput } from '../../workflows/sync-roster-input';
import type { ScheduleSettings } from './settings';

export const SCHEDULE_ID_PREFIX = 'rosterflow-';
/** The schedule memo's `managedBy`: how `apply`, `list` and the other commands know a schedule is theirs. */
const MANAGED_BY = 'rosterflow';
/** Action memo keys: what the last apply sent, read back by the next apply and by `list`. */
export const FINGERPRINT_MEMO = 'rosterflowScheduleFingerprint';
export const CRON_MEMO = 'rosterflowCron';
/** The config's `paused` as last applied: a pause made in Temporal outlives updates until it changes. */
export const PAUSED_MEMO = 'rosterflowPaused';

export const scheduleIdFor = (syncId: string) => `${SCHEDULE_ID_PREFIX}${syncId}`;

/** The sync a managed schedule runs: its memo says so; older ones are named after it. */
export function syncIdOf(scheduleId: string, memo: Record<string, unknown> | undefined): string {
  const recorded = memo?.['syncId'];
  return typeof recorded === 'string' ? recorded : scheduleId.slice(SCHEDULE_ID_PREFIX.length);
}

export function isManaged(memo: Record<string, unknown> | undefined): boolean {
  return memo?.['managedBy'] === MANAGED_BY;
}

export interface DesiredSchedule {
  syncId: string;
  scheduleId: string;
  /** Changes whenever anything apply sends changes; recorded in the action's memo. */
  fingerprint: string;
  settings: ScheduleSettings;
  update: ScheduleUpdateOptions;
  create: ScheduleOptions;
}

/** The schedule `apply` makes for a scheduled sync. */
export function desiredSchedule(sync: SyncConfig, schedule: ScheduleConfig, taskQueue: string): DesiredSchedule {
  const scheduleId = scheduleIdFor(sync.id);
  const args: [SyncRosterInput] = [{ syncId: sync.id }];
  const summary = runSummary({ syncId: sync.id, sourceType: sync.source.type, targetType: sync.target.type });
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ schedule, taskQueue, args, summary }))
    .digest('hex')
    .slice(0, 16);
  const catchupWindow = ms(schedule.catchupWindow as ms.StringValue);
  // The server appends the scheduled time, so every run has its own id.
  const workflowId = `${scheduleId}-scheduled`;
  const update: ScheduleUpdateOptions = {
    spec: { cronExpressions: [schedule.cron], timezone: schedule.timezone },
    action: {
      type: 'startWorkflow',
      workflowType: 'syncRoster',
      taskQueue,
      args,
      workflowId,
      // What the Web UI shows on each run this schedule starts.
      staticSummary: summary,
      memo: { [FINGERPRINT_MEMO]: fingerprint, [CRON_MEMO]: schedule.cron, [PAUSED_MEMO]: schedule.paused },
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow, pauseOnFailure: false },
    state: { paused: schedule.paused, note: `Managed by rosterflow (sync ${sync.id})` },
  };
  return {
    syncId: sync.id,
    scheduleId,
    fingerprint,
    settings: {
      cron: schedule.cron,
      timezone: schedule.timezone,
      catchupWindowMs: catchupWindow,
      overlap: ScheduleOverlapPolicy.SKIP,
      pauseOnFailure: false,
      workflowType: 'syncRoster',
      taskQueue,
      workflowId,
      args,
      summary,
      paused: schedule.paused,
    },
    update,
    create: { ...update, scheduleId, memo: { managedBy: MANAGED_BY, syncId: sync.id } },
  };
}
