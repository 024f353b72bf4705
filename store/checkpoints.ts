import { MongoServerError } from 'mongodb';
import type { Collection, Db } from 'mongodb';

const DUPLICATE_KEY = 11000;

/** Which attempt of which activity writes a checkpoint (from `activityInfo()`). */
export interface CheckpointWriter {
  activityId: string;
  attempt: number;
}

export class CheckpointSuperseded extends Error {
  override name = 'CheckpointSuperseded';
}

/** Steps whose progress is checkpointed so that a retry, on any worker, continues where the last attempt stopped. */
export type CheckpointStep = 'build' | 'extract' | 'render' | 'deliver';

interface CheckpointDocument {
  _id: string;
  runId: string;
  step: CheckpointStep;
  data: unknown;
  /** The activity attempt that wrote it, for the run's story and to fence off older attempts. */
  attempt: number;
  activityId: string;
  /** The activity id as a number: the workflow numbers its activities in the order it schedules them. */
  activityOrder?: number;
  updatedAt: Date;
}

/**
 * One document per (run, step) holding the step's latest checkpoint. Heartbeat details die with the
 * activity's attempt history; these outlive it, and every worker reads the same ones.
 */
export class CheckpointStore {
  private readonly checkpoints: Collection<CheckpointDocument>;

  constructor(db: Db) {
    this.checkpoints = db.collection<CheckpointDocument>('checkpoints');
  }

  async ensureIndexes(): Promise<void> {
    await this.checkpoints.createIndex({ runId: 1 });
    await this.checkpoints.createIndex({ updatedAt: 1 });
  }

  async get<T>(runId: string, step: CheckpointStep): Promise<{ data: T; attempt: number } | undefined> {
    const found = await this.checkpoints.findOne({ _id: `${runId}:${step}` });
    return found ? { data: found.data as T, attempt: found.attempt } : undefined;
  }

  /**
   * Writes the step's checkpoint, unless a later attempt, or a later activity of the same step, wrote
   * one already: an attempt Temporal gave up on (a worker cut off, not dead) may still be running,
   * beside its retry and beside the activities the workflow scheduled after it (a delivery step
   * called again after a wait), and must neither move a newer checkpoint nor go on to act on its
   * own. It gets a CheckpointSuperseded error. Activities are ordered by their ids, which the
   * workflow numbers as it schedules them.
   */
  async put<T>(runId: string, step: CheckpointStep, data: T, by: CheckpointWriter): Promise<void> {
    const order = Number(by.activityId);
    const ordered = Number.isSafeInteger(order);
    // Written by an older worker (no order) or with an id that is no number: only the same activity's later attempts win.
    const unordered = { $or: [{ activityId: { $ne: by.activityId } }, { attempt: { $lte: by.attempt } }] };
    const filter = ordered
      ? {
          $or: [
            { activityOrder: { $exists: false }, ...unordered },
            { activityOrder: { $lt: order } },
            { activityOrder: order, attempt: { $lte: by.attempt } },
          ],
        }
      : unordered;
    try {
      await this.checkpoints.replaceOne(
        { _id: `${runId}:${step}`, ...filter },
        {
          runId,
          step,
          data,
          attempt: by.attempt,
          activityId: by.activityId,
          ...(ordered ? { activityOrder: order } : {}),
          updatedAt: new Date(),
        },
        { upsert: true },
      );
    } catch (err) {
      // The filter missed an existing document, so the upsert's insert collided with it.
      if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) {
        throw new CheckpointSuperseded(
          `${step}: a later attempt of this step has taken over; attempt ${by.attempt} stops`,
        );
      }
      throw err;
    }
  }

  async deleteRun(runId: string): Promise<void> {
    await this.checkpoints.deleteMany({ runId });
  }

  /** Checkpoints of runs that never finished (a deleted workflow) are pruned with their staged rows. */
  async pruneOlderThan(cutoff: Date): Promise<number> {
    const result = await this.checkpoints.deleteMany({ updatedAt: { $lt: cutoff } });
    return result.deletedCount;
  }
}
