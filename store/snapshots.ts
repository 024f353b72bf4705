import { RosterflowError } from '../core/errors';
import type { Collection, Db } from 'mongodb';

/**
 * Per sync, the source ids of the people employed at its last successful, non-dry-run delivery: what
 * the next run's deactivation count compares against (core/safety-rules.ts).
 *
 * Layout, chosen for a 1,000,000-employee roster on any MongoDB-compatible server (no transactions):
 * - `snapshot_chunks`: the ids, split by a hash of the id into SNAPSHOT_BUCKETS buckets and within a
 *   bucket into chunks of at most CHUNK_IDS ids, so no document comes near 16 MB and a comparison
 *   only ever holds one bucket in memory. Chunks are written under the run id that planned them.
 * - `snapshots`: one pointer document per sync naming the run whose chunks are current.
 * A run writes its chunks while it plans (before any hold, while its staged rows still exist), and
 * only after its delivery succeeded flips the pointer and then deletes the previous run's chunks. A
 * crash at any point leaves either the old snapshot or the new one current, never half of one.
 */
export const SNAPSHOT_BUCKETS = 64;
const CHUNK_IDS = 2000;
/** Chunks of runs that planned but never delivered (failed, rejected, dry runs that crashed) go after this. */
const STALE_CHUNKS_MS = 7 * 24 * 60 * 60 * 1000;

interface SnapshotChunk {
  _id: string;
  syncId: string;
  runId: string;
  bucket: number;
  seq: number;
  ids: string[];
  createdAt: Date;
}

/** The current snapshot of a sync. */
export interface SnapshotPointer {
  _id: string;
  syncId: string;
  runId: string;
  /** Valid employees that run pulled (any status). */
  pulled: number;
  /** Employed people (ids in the chunks). */
  active: number;
  deliveredAt: Date;
  /** The snapshot this one replaced, whose chunks are deleted after the flip (again on a retried flip). */
  previousRunId?: string;
}

/** FNV-1a, 32 bits: a stable, cheap bucket for an id (stable across processes and versions). */
export function snapshotBucket(id: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index += 1) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SNAPSHOT_BUCKETS;
}

/** Collects a run's ids into bucketed chunks, writing each chunk as it fills: memory stays bounded. */
export class SnapshotWriter {
  private readonly buffers = new Map<number, string[]>();
  private readonly seqs = new Map<number, number>();
  private count = 0;

  constructor(
    private readonly chunks: Collection<SnapshotChunk>,
    private readonly syncId: string,
    private readonly runId: string,
  ) {}

  get active(): number {
    return this.count;
  }

  async add(id: string): Promise<void> {
    const bucket = snapshotBucket(id);
    const buffer = this.buffers.get(bucket) ?? [];
    buffer.push(id);
    this.buffers.set(bucket, buffer);
    this.count += 1;
    if (buffer.length >= CHUNK_IDS) await this.flush(bucket);
  }

  async close(): Promise<number> {
    for (const bucket of [...this.buffers.keys()]) await this.flush(bucket);
    return this.count;
  }

  private async flush(bucket: number): Promise<void> {
    const ids = this.buffers.get(bucket) ?? [];
    if (ids.length === 0) return;
    const seq = this.seqs.get(bucket) ?? 0;
    this.seqs.set(bucket, seq + 1);
    this.buffers.set(bucket, []);
    await this.chunks.replaceOne(
      { _id: `${this.runId}:${bucket}:${seq}` },
      { syncId: this.syncId, runId: this.runId, bucket, seq, ids, createdAt: new Date() },
      { upsert: true },
    );
  }
}

export class SnapshotStore {
  private readonly chunks: Collection<SnapshotChunk>;
  private readonly pointers: Collection<SnapshotPointer>;

  constructor(db: Db) {
    this.chunks = db.collection<SnapshotChunk>('snapshot_chunks');
    this.pointers = db.collection<SnapshotPointer>('snapshots');
  }

  async ensureIndexes(): Promise<void> {
    await this.chunks.createIndex({ runId: 1, bucket: 1 });
    await this.chunks.createIndex({ syncId: 1, createdAt: 1 });
  }

  /** The sync's current snapshot, or null before its first delivery. */
  async current(syncId: string): Promise<SnapshotPointer | null> {
    return this.pointers.findOne({ _id: syncId });
  }

  /** Starts (or, for a retried attempt, restarts) writing a run's planned snapshot. */
  async openWriter(syncId: string, runId: string): Promise<SnapshotWriter> {
    await this.discard(runId);
    return new SnapshotWriter(this.chunks, syncId, runId);
  }

  /** The ids of one bucket of a run's snapshot. */
  async bucketIds(runId: string, bucket: number): Promise<Set<string>> {
    const ids = new Set<string>();
    const cursor = this.chunks.find({ runId, bucket }, { projection: { ids: 1 } });
    for await (const chunk of cursor) for (const id of chunk.ids) ids.add(id);
    return ids;
  }

  /**
   * How many ids of `previousRunId`'s snapshot are missing from `runId`'s: one bucket in memory at a time.
   */
  async countMissing(
    previous: { runId: string; active: number },
    runId: string,
    onBucket?: (bucket: number) => void,
  ): Promise<number> {
    let missing = 0;
    let read = 0;
    for (let bucket = 0; bucket < SNAPSHOT_BUCKETS; bucket += 1) {
      onBucket?.(bucket);
      const previousIds = await this.bucketIds(previous.runId, bucket);
      read += previousIds.size;
      if (previousIds.size === 0) continue;
      const cursor = this.chunks.find({ runId, bucket }, { projection: { ids: 1 } });
      for await (const chunk of cursor) for (const id of chunk.ids) previousIds.delete(id);
      missing += previousIds.size;
    }
    // Another run of the sync may have replaced (and begun deleting) this baseline while it was read:
    // ids gone missing would count as nobody leaving. Fail retryably; the retry reads the new baseline.
    if (read !== previous.active) {
      throw new RosterflowError(
        'StoreUnavailable',
        `the sync's last-delivery baseline changed while it was read (${read} of ${previous.active} ids); the plan is retried`,
      );
    }
    return missing;
  }

  /** How many ids a run's chunks hold (to check a planned snapshot is whole before making it current). */
  async countIds(runId: string): Promise<number> {
    let count = 0;
    const cursor = this.chunks.find({ runId }, { projection: { ids: 1 } });
    for await (const chunk of cursor) count += chunk.ids.length;
    return count;
  }

  /**
   * Makes a run's planned snapshot the sync's current one, then deletes the one it replaced. Idempotent:
   * a retry after the flip finds the pointer already flipped and finishes the clean-up.
   */
  async commit(pointer: Omit<SnapshotPointer, '_id' | 'previousRunId'>): Promise<void> {
    const existing = await this.current(pointer.syncId);
    const previousRunId = existing?.runId === pointer.runId ? existing.previousRunId : existing?.runId;
    if (existing?.runId !== pointer.runId) {
      await this.pointers.replaceOne(
        { _id: pointer.syncId },
        { ...pointer, ...(previousRunId === undefined ? {} : { previousRunId }) },
        { upsert: true },
      );
    }
    if (previousRunId !== undefined && previousRunId !== pointer.runId) await this.discard(previousRunId);
    await this.chunks.deleteMany({
      syncId: pointer.syncId,
      runId: { $ne: pointer.runId },
      createdAt: { $lt: new Date(Date.now() - STALE_CHUNKS_MS) },
    });
  }

  /** Deletes a run's planned chunks; never the current snapshot's. */
  async discard(runId: string): Promise<void> {
    const current = await this.pointers.findOne({ runId }, { projection: { _id: 1 } });
    if (current) return;
    await this.chunks.deleteMany({ runId });
  }
}
