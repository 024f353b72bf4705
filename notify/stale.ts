import type { SyncConfig } from '../config/schema';
import { latestFireTime } from './stale-fire-times';

/**
 * The staleness rule of the watchdog (workflows/watchdog.ts), pure so it can be tested at any clock.
 *
 * A watched sync is one with a `schedule` and a `notify` whose `on` includes `stale`. Let F be the
 * latest fire time of its schedule with F + staleGrace <= now. The sync is stale when no successful
 * run (`succeeded` or `partial`, not a dry run) has finished at or after F. So a nightly 02:00 sync
 * with the default 2h grace is stale from 04:00 if nothing has succeeded since 02:00.
 *
 * It is not stale, whatever its runs:
 * - while its schedule is paused in Temporal (it is not expected to run);
 * - when F is before `watchedSince`: the schedule was created or changed after F, or the watchdog
 *   saw it paused and running again since (a resumed schedule gets until its next fire time plus
 *   the grace).
 */
export interface StaleCheck {
  cron: string;
  timezone: string;
  graceMs: number;
  now: Date;
  paused: boolean;
  /** Fire times before this were not expected to run (see above); absent: all were. */
  watchedSince?: Date;
  /** The sync's latest successful, non-dry-run run, by when it finished; absent: it never succeeded. */
  lastSuccess?: LastSuccess;
}

export interface LastSuccess {
  runId: string;
  finishedAt: Date;
}

export type StaleVerdict =
  | { stale: false; why: 'paused' | 'not due' | 'succeeded' }
  | {
      stale: true;
      /** The fire time whose run has not succeeded (F above). */
      fireTime: Date;
      /** F + grace: when a success was due by. */
      dueBy: Date;
    };

/** A scheduled sync whose `notify.on` includes `stale`: the syncs the watchdog watches. */
export function watchesStale(sync: SyncConfig): boolean {
  return sync.schedule !== undefined && sync.notify?.on.includes('stale') === true;
}

export function checkStaleness(check: StaleCheck): StaleVerdict {
  if (check.paused) return { stale: false, why: 'paused' };
  const fireTime = latestFireTime(check.cron, check.timezone, new Date(check.now.getTime() - check.graceMs));
  if (!fireTime || (check.watchedSince && fireTime < check.watchedSince)) return { stale: false, why: 'not due' };
  if (check.lastSuccess && check.lastSuccess.finishedAt >= fireTime) return { stale: false, why: 'succeeded' };
  return { stale: true, fireTime, dueBy: new Date(fireTime.getTime() + check.graceMs) };
}

/**
 * Whether a stale sync still needs its alert: once per episode, an episode being the time from its
 * first missed fire time until it next succeeds. `alertedFor` is the fire time the last stale alert
 * was about: it was missed, so any success at or after it ended that episode.
 */
export function needsStaleAlert(alertedFor: Date | undefined, lastSuccess: LastSuccess | undefined): boolean {
  if (!alertedFor) return true;
  return lastSuccess !== undefined && lastSuccess.finishedAt >= alertedFor;
}

/**
 * The time from which a sync's fire times are expected to run: its schedule's creation or last
 * update in Temporal (a pause or unpause does not count as one there), or the first watchdog tick
 * that saw it running again after seeing it paused, whichever is later.
 */
export function watchedSince(
  schedule: { createdAt: Date; lastUpdatedAt?: Date | undefined },
  resumedSeenAt: Date | undefined,
): Date {
  const changed = schedule.lastUpdatedAt ?? schedule.createdAt;
  return resumedSeenAt && resumedSeenAt > changed ? resumedSeenAt : changed;
}
