import { createHash } from 'node:crypto';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Client, ScheduleDescription, ScheduleOptions, ScheduleUpdateOptions } from '@temporalio/client';
import ms from 'ms';
import type { RosterflowConfig } from '../../config/schema';
import { watchesStale } from '../../notify/stale';
import type { WatchSyncsInput } from '../../workflows/watchdog';
import { FINGERPRINT_MEMO } from './desired';

/**
 * The stale-sync watchdog's own schedule (workflows/watchdog.ts): one per namespace, made by
 * `schedules apply` while any sync of the config alerts on `stale`, deleted once none does.
 *
 * Its id cannot be a sync's schedule id (`rosterflow-<sync id>`: a sync may well be called
 * "watchdog"), and its memo's `managedBy` is not the syncs' `rosterflow`, so nothing that handles
 * sync schedules (apply's prune, list, pause, trigger, delete, and older rosterflow versions)
 * mistakes it for one.
 */
export const WATCHDOG_SCHEDULE_ID = 'rosterflow:watchdog';
const WATCHDOG_MANAGED_BY = 'rosterflow-watchdog';
/** How often it looks: a stale sync is reported at most this long after its grace ran out. */
export const WATCHDOG_EVERY = '10m';

export function isWatchdog(memo: Record<string, unknown> | undefined): boolean {
  return memo?.['managedBy'] === WATCHDOG_MANAGED_BY;
}

/** The syncs the watchdog watches: scheduled, and alerting on `stale`. */
export function watchedSyncIds(config: RosterflowConfig): string[] {
  return config.syncs.filter(watchesStale).map((sync) => sync.id);
}

export interface WatchdogChange {
  scheduleId: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'deleted';
  changes?: string[];
  note: string;
}

/** What apply does about the watchdog's schedule, and what carries it out. */
export interface WatchdogPlan {
  change: WatchdogChange;
  desired: ReturnType<typeof desiredWatchdog>;
  keepState?: ScheduleUpdateOptions['state'];
}

function desiredWatchdog(taskQueue: string) {
  const args: [WatchSyncsInput] = [{}];
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ taskQueue, every: WATCHDOG_EVERY, args }))
    .digest('hex')
    .slice(0, 16);
  const update: ScheduleUpdateOptions = {
    spec: { intervals: [{ every: WATCHDOG_EVERY }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'watchSyncs',
      taskQueue,
      args,
      // The server appends the scheduled time, so every tick has its own id.
      workflowId: `${WATCHDOG_SCHEDULE_ID}-tick`,
      staticSummary: 'rosterflow: stale-sync watchdog',
      memo: { [FINGERPRINT_MEMO]: fingerprint },
    },
    // A tick still going (a worker down) is not doubled; a missed one is not worth catching up.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: WATCHDOG_EVERY, pauseOnFailure: false },
    state: { paused: false, note: 'Managed by rosterflow (stale-sync watchdog)' },
  };
  const create: ScheduleOptions = {
    ...update,
    scheduleId: WATCHDOG_SCHEDULE_ID,
    memo: { managedBy: WATCHDOG_MANAGED_BY },
  };
  return { fingerprint, taskQueue, update, create };
}

/**
 * Whether the watchdog's schedule is to be created, updated, deleted or left alone; undefined when
 * no sync alerts on `stale` and there is none. A pause made in Temporal is kept by an update.
 */
export async function planWatchdog(
  client: Client,
  config: RosterflowConfig,
  taskQueue: string,
): Promise<WatchdogPlan | undefined> {
  const watched = watchedSyncIds(config);
  const desired = desiredWatchdog(taskQueue);
  const current = await describeWatchdog(client);
  const note = `stale-sync watchdog, every ${WATCHDOG_EVERY}, for ${watched.length === 1 ? 'sync' : 'syncs'} ${watched.join(', ')}`;
  const change = (outcome: WatchdogChange['outcome'], extra: Partial<WatchdogChange> = {}): WatchdogChange => ({
    scheduleId: WATCHDOG_SCHEDULE_ID,
    outcome,
    note,
    ...extra,
  });

  if (watched.length === 0) {
    if (!current) return undefined;
    return { desired, change: change('deleted', { note: 'stale-sync watchdog: no sync alerts on stale any more' }) };
  }
  if (!current) return { desired, change: change('created') };
  const edited = differences(current, desired);
  if (current.action.memo?.[FINGERPRINT_MEMO] === desired.fingerprint && edited.length === 0) {
    return { desired, change: change('unchanged') };
  }
  const { paused, note: pauseNote } = current.state;
  return {
    desired,
    change: change('updated', { changes: edited }),
    keepState: { paused, ...(pauseNote === undefined ? {} : { note: pauseNote }) },
  };
}

export async function carryOutWatchdog(client: Client, { change, desired, keepState }: WatchdogPlan): Promise<void> {
  const handle = client.schedule.getHandle(WATCHDOG_SCHEDULE_ID);
  if (change.outcome === 'created') await client.schedule.create(desired.create);
  if (change.outcome === 'updated') {
    await handle.update(() => (keepState ? { ...desired.update, state: keepState } : desired.update));
  }
  if (change.outcome === 'deleted') await handle.delete();
}

/** The watchdog's schedule as Temporal has it, if it is ours. */
export async function describeWatchdog(client: Client): Promise<ScheduleDescription | undefined> {
  try {
    const description = await client.schedule.getHandle(WATCHDOG_SCHEDULE_ID).describe();
    return isWatchdog(description.memo) ? description : undefined;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}

/** Settings edited in Temporal since the last apply, `taskQueue a -> b`. */
function differences(current: ScheduleDescription, desired: ReturnType<typeof desiredWatchdog>): string[] {
  const every = current.spec.intervals?.map((interval) => ms(Number(interval.every))).join(', ') ?? '(none)';
  const pairs: [string, string, string][] = [
    ['workflowType', current.action.workflowType, 'watchSyncs'],
    ['taskQueue', current.action.taskQueue ?? '(none)', desired.taskQueue],
    ['every', every, ms(ms(WATCHDOG_EVERY))],
  ];
  return pairs.filter(([, from, to]) => from !== to).map(([setting, from, to]) => `${setting} ${from} -> ${to}`);
}
