import { Context } from '@temporalio/activity';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import ms from 'ms';
import type { ActivityDeps } from '../activities/deps';
import { toApplicationFailure } from '../activities/failures';
import { isManaged, scheduleIdFor } from '../cli/schedules/desired';
import { loadConfig } from '../config/load';
import type { SyncConfig } from '../config/schema';
import type { AlertRequest } from './alert';
import { checkStaleness, needsStaleAlert, watchedSince, watchesStale } from './stale';

/** A stale sync the watchdog alerts about: ids and times only. */
export interface StaleSync {
  syncId: string;
  /** ISO time of the missed fire time: names the episode (and the alert's workflow id). */
  fireTime: string;
  alert: AlertRequest;
}

/** The watchdog's activities (workflows/watchdog.ts). */
export function createWatchdogActivities(deps: ActivityDeps) {
  return {
    /**
     * The watched syncs of the config (read afresh each tick) that are stale and not yet alerted
     * for this episode (notify/stale.ts). Pause state comes from each sync's schedule in Temporal,
     * through the worker's own client; a sync whose schedule is not there (not applied yet, or
     * deleted) is not watched.
     */
    async findStaleSyncs(): Promise<StaleSync[]> {
      try {
        const config = await loadConfig(deps.configPath);
        const client = Context.current().client;
        const stale: StaleSync[] = [];
        for (const sync of config.syncs) {
          const found = await staleSync(deps, client, sync, new Date());
          if (found) stale.push(found);
        }
        return stale;
      } catch (err) {
        throw toApplicationFailure(err, 'findStaleSyncs');
      }
    },

    /** Records that the alert of a stale episode went out, so later ticks stay quiet until a success. */
    async markStaleAlerted(input: { syncId: string; fireTime: string }): Promise<void> {
      try {
        await deps.store.alertState.markAlerted(input.syncId, new Date(input.fireTime));
      } catch (err) {
        throw toApplicationFailure(err, 'markStaleAlerted');
      }
    },
  };
}

async function staleSync(
  deps: ActivityDeps,
  client: Client,
  sync: SyncConfig,
  now: Date,
): Promise<StaleSync | undefined> {
  const { schedule, notify } = sync;
  if (!schedule || !notify || !watchesStale(sync)) return undefined;
  const described = await describeSchedule(client, sync.id);
  if (!described) return undefined;

  const store = deps.store.alertState;
  const state = await store.sawPauseState(sync.id, described.state.paused, now);
  const lastSuccess = await store.lastSuccess(sync.id);
  const graceMs = ms(notify.staleGrace as ms.StringValue);
  const verdict = checkStaleness({
    cron: schedule.cron,
    timezone: schedule.timezone,
    graceMs,
    now,
    paused: described.state.paused,
    watchedSince: watchedSince(described.info, state?.resumedSeenAt),
    ...(lastSuccess ? { lastSuccess } : {}),
  });
  if (!verdict.stale || !needsStaleAlert(state?.alertedFor, lastSuccess)) return undefined;

  const fireTime = verdict.fireTime.toISOString();
  return {
    syncId: sync.id,
    fireTime,
    alert: {
      kind: 'stale',
      syncId: sync.id,
      stale: {
        ...(lastSuccess
          ? { lastSuccessAt: lastSuccess.finishedAt.toISOString(), lastSuccessRunId: lastSuccess.runId }
          : {}),
        dueBy: verdict.dueBy.toISOString(),
        cron: schedule.cron,
        timezone: schedule.timezone,
      },
    },
  };
}

/** The sync's schedule as `schedules apply` made it, or undefined when there is none. */
async function describeSchedule(client: Client, syncId: string) {
  try {
    const description = await client.schedule.getHandle(scheduleIdFor(syncId)).describe();
    return isManaged(description.memo) ? description : undefined;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}
