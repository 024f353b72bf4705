import type { Collection, Db } from 'mongodb';
import type { RunRecord } from './run-record';

/**
 * What the stale-sync watchdog (workflows/watchdog.ts) remembers between its ticks, one small
 * document per sync in `alert_state`, so each stale episode alerts once, not on every tick.
 */
export interface AlertState {
  /** The sync id. */
  _id: string;
  /** The missed fire time the last stale alert was about. */
  alertedFor?: Date;
  alertedAt?: Date;
  /** The last tick that saw the sync's schedule paused. */
  pausedSeenAt?: Date;
  /** The first tick that saw it running again after that. */
  resumedSeenAt?: Date;
}

/** A sync's latest successful (`succeeded` or `partial`), non-dry-run run. */
export interface LastSuccess {
  runId: string;
  finishedAt: Date;
}

/** How many of a sync's latest successes are compared by finish time (runs can overlap). */
const LATEST_SUCCESSES = 5;

export class AlertStateStore {
  private readonly states: Collection<AlertState>;
  private readonly runs: Collection<RunRecord>;

  constructor(db: Db) {
    this.states = db.collection<AlertState>('alert_state');
    this.runs = db.collection<RunRecord>('runs');
  }

  async markAlerted(syncId: string, fireTime: Date): Promise<void> {
    await this.set(syncId, { alertedFor: fireTime, alertedAt: new Date() });
  }

  /**
   * Records a tick's view of the sync's schedule (paused or not) and returns the sync's state with
   * it. Writes only when it tells something new: every paused tick, and the first running one after.
   */
  async sawPauseState(syncId: string, paused: boolean, at: Date): Promise<AlertState | null> {
    const state = await this.states.findOne({ _id: syncId });
    const resumed = state?.pausedSeenAt && !(state.resumedSeenAt && state.resumedSeenAt > state.pausedSeenAt);
    const change = paused ? { pausedSeenAt: at } : resumed ? { resumedSeenAt: at } : undefined;
    if (!change) return state;
    await this.set(syncId, change);
    return { ...(state ?? { _id: syncId }), ...change };
  }

  /**
   * The sync's latest success by finish time, read from the run store's `runs` (by its syncId and
   * startedAt index: the latest few by start, of which the one that finished last).
   */
  async lastSuccess(syncId: string): Promise<LastSuccess | undefined> {
    const runs = await this.runs
      .find(
        { syncId, status: { $in: ['succeeded', 'partial'] }, dryRun: { $ne: true } },
        { projection: { _id: 1, finishedAt: 1 } },
      )
      .sort({ startedAt: -1 })
      .limit(LATEST_SUCCESSES)
      .toArray();
    let latest: LastSuccess | undefined;
    for (const run of runs) {
      if (run.finishedAt && (!latest || run.finishedAt > latest.finishedAt)) {
        latest = { runId: run._id, finishedAt: run.finishedAt };
      }
    }
    return latest;
  }

  private async set(syncId: string, fields: Omit<AlertState, '_id'>): Promise<void> {
    await this.states.updateOne({ _id: syncId }, { $set: fields }, { upsert: true });
  }
}
