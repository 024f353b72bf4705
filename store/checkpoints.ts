import type { Collection, Db } from 'mongodb';

/** Steps whose progress is checkpointed so that a retry, on any worker, continues where the last attempt stopped. */
export type CheckpointStep = 'extract' | 'render' | 'deliver';

interface CheckpointDocument {
  _id: string;
  runId: string;
  step: CheckpointStep;
  data: unknown;
  /** The activity attempt that wrote it, for the run's story. */
  attempt: number;
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

  async put<T>(runId: string, step: CheckpointStep, data: T, attempt: number): Promise<void> {
    await this.checkpoints.replaceOne(
      { _id: `${runId}:${step}` },
      { runId, step, data, attempt, updatedAt: new Date() },
      { upsert: true },
    );
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
