import { Binary } from 'mongodb';
import type { Collection, Db } from 'mongodb';
import { RosterflowError } from '../core/errors';
import { decodeHashes, encodeHashes, hash64 } from '../core/hash64';
import type { Hash64Set } from '../core/hash64';
import { insertOrReplace, writtenByAttemptUpTo } from './insert-or-replace';

/**
 * Per sync, the people employed at its last successful, non-dry-run delivery: what the next run's
 * deactivation count compares against (core/safety-rules.ts), kept as 64-bit hashes of their source
 * ids (core/hash64.ts), 8 bytes a person.
 *
 * Layout, for a 1,000,000-employee roster on any MongoDB-compatible server (no transactions):
 * - `snapshot_chunks`: the hashes in chunks, written under the run id that planned them: one chunk
 *   per source page by the build (`putPage`), or of at most CHUNK_HASHES (512 KB) by the plan of runs
 *   from before it (`openWriter`). (Chunks of snapshots taken before hashing hold `ids`; they are hashed as
 *   they are read, so an older baseline still counts.)
 * - `snapshots`: one pointer document per sync naming the run whose chunks are current.
 * A run writes its chunks before it plans (so before any hold), and only
 * after its delivery succeeded flips the pointer and then deletes the previous run's chunks. A crash
 * at any point leaves either the old snapshot or the new one current, never half of one.
 */
const CHUNK_HASHES = 65_536;

interface SnapshotChunk {
  _id: string;
  syncId: string;
  runId: string;
  seq: number;
  hashes?: Binary;
  /** Snapshots written before hashing: the ids themselves. */
  ids?: string[];
  /** The build attempt that wrote it (chunks of the build's pages). */
  attempt?: number;
  /** How many hashes it holds, so they are counted without being read; absent in older chunks. */
  count?: number;
  createdAt: Date;
}

/** The current snapshot of a sync. */
export interface SnapshotPointer {
  _id: string;
  syncId: string;
  runId: string;
  /** Valid employees that run pulled (any status). */
  pulled: number;
  /** Employed people (hashes in the chunks). */
  active: number;
  deliveredAt: Date;
  /** The snapshot this one replaced, whose chunks are deleted after the flip (again on a retried flip). */
  previousRunId?: string;
}

/** The hashes of one chunk, whichever way it was written. */
function chunkHashes(chunk: Pick<SnapshotChunk, 'hashes' | 'ids'>): Iterable<bigint> {
  if (chunk.hashes) return decodeHashes(chunk.hashes.buffer);
  return (chunk.ids ?? []).map(hash64);
}

/** Collects a run's hashes into chunks, writing each as it fills: memory stays bounded. */
export class SnapshotWriter {
  private buffer: bigint[] = [];
  private seq = 0;
  private count = 0;

  constructor(
    private readonly chunks: Collection<SnapshotChunk>,
    private readonly syncId: string,
    private readonly runId: string,
  ) {}

  async add(hash: bigint): Promise<void> {
    this.buffer.push(hash);
    this.count += 1;
    if (this.buffer.length >= CHUNK_HASHES) await this.flush();
  }

  async close(): Promise<number> {
    await this.flush();
    return this.count;
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const seq = this.seq;
    this.seq += 1;
    const hashes = new Binary(encodeHashes(this.buffer));
    const count = this.buffer.length;
    this.buffer = [];
    await this.chunks.replaceOne(
      { _id: `${this.runId}:${seq}` },
      { syncId: this.syncId, runId: this.runId, seq, hashes, count, createdAt: new Date() },
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
    await this.chunks.createIndex({ runId: 1, seq: 1 });
    await this.chunks.createIndex({ syncId: 1, createdAt: 1 });
  }

  /** The runs whose delivery is some sync's current baseline. */
  async currentRunIds(): Promise<Set<string>> {
    const pointers = await this.pointers.find({}, { projection: { runId: 1 } }).toArray();
    return new Set(pointers.map((pointer) => pointer.runId));
  }

  /** The sync's current snapshot, or null before its first delivery. */
  async current(syncId: string): Promise<SnapshotPointer | null> {
    return this.pointers.findOne({ _id: syncId });
  }

  /**
   * The build writes a run's planned snapshot page by page (chunk `seq` = the stored page), so the
   * plan reads a few compact chunks instead of the run's pages; idempotent per page, and never over
   * a later build attempt's chunk.
   */
  async putPage(
    syncId: string,
    runId: string,
    page: number,
    hashes: readonly bigint[],
    attempt: number,
  ): Promise<void> {
    const hashBytes = new Binary(encodeHashes(hashes));
    await insertOrReplace(
      this.chunks,
      {
        _id: `${runId}:${page}`,
        ...{ syncId, runId, seq: page, hashes: hashBytes, count: hashes.length, attempt, createdAt: new Date() },
      },
      writtenByAttemptUpTo(attempt),
    );
  }

  /** Chunks of pages at and after `page` belong to an interrupted build; it writes them again. */
  async discardPagesFrom(runId: string, page: number, attempt: number): Promise<void> {
    await this.chunks.deleteMany({ runId, seq: { $gte: page }, ...writtenByAttemptUpTo(attempt) });
  }

  /** A run's planned hashes, chunk by chunk. */
  async *hashesOf(runId: string): AsyncIterable<Iterable<bigint>> {
    for await (const chunk of this.chunks.find({ runId }, { projection: { hashes: 1, ids: 1 } }))
      yield chunkHashes(chunk);
  }

  /** Starts (or, for a retried attempt, restarts) writing a run's planned snapshot. */
  async openWriter(syncId: string, runId: string): Promise<SnapshotWriter> {
    await this.discard(runId);
    return new SnapshotWriter(this.chunks, syncId, runId);
  }

  /**
   * How many people of `previous`'s snapshot are missing from `current` (this run's employed hashes).
   */
  async countMissing(previous: { runId: string; active: number }, current: Hash64Set): Promise<number> {
    let missing = 0;
    let read = 0;
    for await (const chunk of this.chunks.find({ runId: previous.runId }, { projection: { hashes: 1, ids: 1 } })) {
      for (const hash of chunkHashes(chunk)) {
        read += 1;
        if (!current.has(hash)) missing += 1;
      }
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

  /** How many hashes a run's chunks hold (to check a planned snapshot is whole before making it current). */
  async countIds(runId: string): Promise<number> {
    let count = 0;
    const uncounted: string[] = [];
    // Chunks carry their count, so their hashes are not read; an older chunk's are.
    for await (const chunk of this.chunks.find({ runId }, { projection: { count: 1 } })) {
      if (chunk.count === undefined) uncounted.push(chunk._id);
      else count += chunk.count;
    }
    if (uncounted.length === 0) return count;
    for await (const chunk of this.chunks.find({ _id: { $in: uncounted } }, { projection: { hashes: 1, ids: 1 } }))
      count += chunk.hashes ? chunk.hashes.buffer.byteLength / 8 : (chunk.ids?.length ?? 0);
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
  }

  /**
   * Deletes the planned chunks of runs that never delivered (failed, rejected, dry runs that crashed)
   * once older than `cutoff`: never a current snapshot's, nor a run's that `keep` says may still
   * deliver (a run held for approval commits its snapshot when approved). The worker's clean-up runs it
   * (store.ts), so a delivering run does not wait for it.
   */
  async pruneOlderThan(cutoff: Date, keep: (runId: string) => Promise<boolean>): Promise<void> {
    const current = new Set((await this.pointers.find({}, { projection: { runId: 1 } }).toArray()).map((p) => p.runId));
    const old = new Set<string>();
    for await (const chunk of this.chunks.find({ createdAt: { $lt: cutoff } }, { projection: { runId: 1 } }))
      if (!current.has(chunk.runId)) old.add(chunk.runId);
    // discard re-reads the pointer: a held run approved meanwhile commits before it finishes, so a
    // run `keep` lets go of that has just become current is still spared.
    for (const runId of old) if (!(await keep(runId))) await this.discard(runId);
  }

  /** Deletes a run's planned chunks; never the current snapshot's. */
  async discard(runId: string): Promise<void> {
    const current = await this.pointers.findOne({ runId }, { projection: { _id: 1 } });
    if (current) return;
    await this.chunks.deleteMany({ runId });
  }
}
