import { ScheduleNotFoundError, WorkflowNotFoundError } from '@temporalio/client';
import type { Client, ScheduleDescription } from '@temporalio/client';
import ms from 'ms';
import type { RosterflowConfig } from '../../config/schema';
import { RUN_STATUS } from '../../workflows/search-attributes';
import { isManaged, scheduleIdFor, syncIdOf } from './desired';
import { currentSettings } from './settings';
import { WATCHDOG_SCHEDULE_ID, describeWatchdog, watchedSyncIds } from './watchdog';

/** One rosterflow schedule as `schedules list` shows it. */
export interface ScheduleListing {
  syncId: string;
  scheduleId: string;
  /** As written in the config when it was applied (else as the config says now, if it has the sync). */
  cron: string | undefined;
  timezone: string;
  /** The summary each run it starts carries in the Web UI. */
  summary: string | undefined;
  paused: boolean;
  /** Why it is paused (or unpaused), and by whom, when the pause said so. */
  note: string | undefined;
  /** False when its sync is gone from the config (`apply --prune` deletes it); undefined without a config. */
  inConfig: boolean | undefined;
  nextRuns: Date[];
  lastRun: LastRun | undefined;
}

export interface LastRun {
  workflowId: string;
  runId: string | undefined;
  /** Temporal's status of the workflow (RUNNING, COMPLETED, FAILED, ...), or NOT_FOUND past its retention. */
  status: string;
  /** The run's own status as it records it (succeeded, partial, held, ...), when Temporal has it. */
  runStatus: string | undefined;
  startedAt: Date;
}

export interface ScheduleList {
  schedules: ScheduleListing[];
  /** Scheduled syncs of the config that have no schedule in Temporal yet. */
  notApplied: string[];
  /** The stale-sync watchdog's schedule, listed apart: it runs no sync. */
  watchdog?: WatchdogListing;
}

/** The stale-sync watchdog's schedule (cli/schedules/watchdog.ts). */
export interface WatchdogListing {
  scheduleId: string;
  /** How often it looks, e.g. `10m`. */
  every: string;
  /** The syncs it watches by the config (undefined without one). */
  watching: string[] | undefined;
  paused: boolean;
  note: string | undefined;
  nextRuns: Date[];
  lastRun: LastRun | undefined;
}

/**
 * Every schedule `apply` manages, whether or not its sync is still in the config, and the config's
 * scheduled syncs that have none. The config's are described by id, so a schedule applied a moment
 * ago shows even before Temporal's schedule list (eventually consistent) has caught up.
 */
export async function listSchedules(
  client: Client,
  config: RosterflowConfig | undefined,
  nextCount: number,
): Promise<ScheduleList> {
  const configured = new Map(
    (config?.syncs ?? []).filter((sync) => sync.schedule).map((sync) => [scheduleIdFor(sync.id), sync]),
  );
  const ids = new Set(configured.keys());
  for await (const summary of client.schedule.list()) {
    if (isManaged(summary.memo)) ids.add(summary.scheduleId);
  }

  const notApplied: string[] = [];
  const described = await Promise.all(
    [...ids].map(async (scheduleId) => {
      const description = await client.schedule
        .getHandle(scheduleId)
        .describe()
        .catch((err: unknown) => {
          if (err instanceof ScheduleNotFoundError) return undefined;
          throw err;
        });
      const sync = configured.get(scheduleId);
      if (!description || !isManaged(description.memo)) {
        if (sync) notApplied.push(sync.id);
        return undefined;
      }
      return listing(client, description, sync?.schedule?.cron, config ? Boolean(sync) : undefined, nextCount);
    }),
  );
  const schedules = described.filter((entry) => entry !== undefined);
  const watchdog = await watchdogListing(client, config, nextCount);
  return {
    schedules: schedules.sort((a, b) => a.syncId.localeCompare(b.syncId)),
    notApplied: notApplied.sort(),
    ...(watchdog ? { watchdog } : {}),
  };
}

async function watchdogListing(
  client: Client,
  config: RosterflowConfig | undefined,
  nextCount: number,
): Promise<WatchdogListing | undefined> {
  const description = await describeWatchdog(client);
  if (!description) return undefined;
  const recent = description.info.recentActions.at(-1);
  return {
    scheduleId: WATCHDOG_SCHEDULE_ID,
    every: description.spec.intervals?.map((interval) => ms(Number(interval.every))).join(', ') ?? '?',
    watching: config ? watchedSyncIds(config) : undefined,
    paused: description.state.paused,
    note: description.state.note,
    nextRuns: description.info.nextActionTimes.slice(0, nextCount),
    lastRun: recent ? await lastRun(client, recent.action.workflow.workflowId, recent.takenAt) : undefined,
  };
}

async function listing(
  client: Client,
  description: ScheduleDescription,
  configuredCron: string | undefined,
  inConfig: boolean | undefined,
  nextCount: number,
): Promise<ScheduleListing> {
  const settings = currentSettings(description);
  // Oldest first: the last one is the most recent.
  const recent = description.info.recentActions.at(-1);
  return {
    syncId: syncIdOf(description.scheduleId, description.memo),
    scheduleId: description.scheduleId,
    cron: settings.cron ?? configuredCron,
    timezone: settings.timezone,
    summary: settings.summary,
    paused: settings.paused,
    note: description.state.note,
    inConfig,
    nextRuns: description.info.nextActionTimes.slice(0, nextCount),
    lastRun: recent ? await lastRun(client, recent.action.workflow.workflowId, recent.takenAt) : undefined,
  };
}

/** The latest run under the workflow id the schedule started (a retried or continued run included). */
async function lastRun(client: Client, workflowId: string, takenAt: Date): Promise<LastRun> {
  try {
    const workflow = await client.workflow.getHandle(workflowId).describe();
    return {
      workflowId,
      runId: workflow.runId,
      status: workflow.status.name,
      runStatus: workflow.typedSearchAttributes.get(RUN_STATUS),
      startedAt: workflow.startTime,
    };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    return { workflowId, runId: undefined, status: 'NOT_FOUND', runStatus: undefined, startedAt: takenAt };
  }
}
