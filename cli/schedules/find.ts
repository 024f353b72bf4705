import { ScheduleNotFoundError } from '@temporalio/client';
import type { Client, ScheduleDescription, ScheduleHandle } from '@temporalio/client';
import type { RosterflowConfig } from '../../config/schema';
import { didYouMean } from '../../core/closest-name';
import { RosterflowError } from '../../core/errors';
import { isManaged, scheduleIdFor, syncIdOf } from './desired';

/** The config a command read, when it could read one: only used to explain a missing schedule. */
export interface ConfigContext {
  config: RosterflowConfig | undefined;
  path: string | undefined;
}

export interface ManagedSchedule {
  handle: ScheduleHandle;
  description: ScheduleDescription;
}

/**
 * The schedule `apply` made for a sync, or one sentence saying why there is none: an unknown sync
 * (with the closest known one), a sync without a schedule, one not applied yet, or a schedule of
 * that name that rosterflow does not manage and so leaves alone.
 */
export async function findManagedSchedule(
  client: Client,
  syncId: string,
  context: ConfigContext,
): Promise<ManagedSchedule> {
  const handle = client.schedule.getHandle(scheduleIdFor(syncId));
  let description: ScheduleDescription;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw await noSchedule(client, syncId, context);
    throw err;
  }
  if (!isManaged(description.memo)) {
    throw new RosterflowError(
      'InvalidInput',
      `Schedule ${handle.scheduleId} was not made by \`rosterflow schedules apply\` (its memo has no managedBy: rosterflow), so rosterflow leaves it alone`,
    );
  }
  return { handle, description };
}

async function noSchedule(client: Client, syncId: string, { config, path }: ConfigContext): Promise<RosterflowError> {
  const sync = config?.syncs.find((candidate) => candidate.id === syncId);
  if (sync && !sync.schedule) {
    return new RosterflowError('InvalidInput', `Sync "${syncId}" has no schedule: it sets no \`schedule\` in ${path}`);
  }
  if (sync) {
    return new RosterflowError(
      'InvalidInput',
      `Sync "${syncId}" has no schedule in Temporal yet; create it with \`rosterflow schedules apply\``,
    );
  }
  const known = new Set(config?.syncs.map((candidate) => candidate.id));
  for await (const summary of client.schedule.list()) {
    if (isManaged(summary.memo)) known.add(syncIdOf(summary.scheduleId, summary.memo));
  }
  const where =
    config === undefined || path === undefined
      ? 'no rosterflow schedule'
      : `no rosterflow schedule and no sync in ${path}`;
  return new RosterflowError('UnknownSync', `Sync "${syncId}" is unknown: ${where}${didYouMean(syncId, [...known])}`);
}
