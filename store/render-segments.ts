import { createHash } from 'node:crypto';
import { Binary } from 'mongodb';
import type { Collection, Db } from 'mongodb';
import { insertOrReplace } from './insert-or-replace';

/** Where a file's header and its derived closing rows sit among the page segments. */
export const HEADER_SEQ = -1;
export const CLOSING_SEQ = 2 ** 31 - 1;
/** Well under MongoDB's 16 MB document limit, whatever a page of very long rows comes to. */
const MAX_PART_BYTES = 4 * 1024 * 1024;

interface SegmentPart {
  _id: string;
  runId: string;
  /** The staged page the bytes were rendered from (or HEADER_SEQ / CLOSING_SEQ). */
  seq: number;
  /** Which of the target's files (layout order). */
  file: number;
  part: number;
  data: Binary;
  /** Of the whole segment (all parts), so a replayed page can be checked against what was kept. */
  sha256: string;
  attempt: number;
  createdAt: Date;
}

/**
 * A render in progress, kept as one segment per (staged page, file). A resumed render keeps the
 * segments before its checkpoint, rewrites the rest, and the artifact is assembled from them in
 * order: byte for byte what an uninterrupted render writes. Segments are employee data and are
 * deleted once the artifact exists.
 */
export class RenderSegmentStore {
  private readonly parts: Collection<SegmentPart>;

  constructor(db: Db) {
    this.parts = db.collection<SegmentPart>('render_segments');
  }

  async ensureIndexes(): Promise<void> {
    await this.parts.createIndex({ runId: 1, file: 1, seq: 1, part: 1 });
    await this.parts.createIndex({ createdAt: 1 });
  }

  /**
   * Idempotent per (run, seq, file) for the same bytes. A page is written once per attempt: a resumed
   * render discards everything from its checkpoint first (`discardFrom`), so a rewrite never leaves an
   * older, longer segment's tail behind. (No clean-up query per write: on FerretDB's SQLite backend
   * every filtered query scans the collection, which made a 200,000-row render quadratic; see
   * insert-or-replace.ts.)
   */
  async put(runId: string, seq: number, files: readonly Buffer[], attempt: number): Promise<void> {
    const createdAt = new Date();
    for (const [file, bytes] of files.entries()) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const count = Math.max(1, Math.ceil(bytes.length / MAX_PART_BYTES));
      for (let part = 0; part < count; part += 1) {
        const data = new Binary(bytes.subarray(part * MAX_PART_BYTES, (part + 1) * MAX_PART_BYTES));
        await insertOrReplace(this.parts, {
          _id: `${runId}:${seq}:${file}:${part}`,
          ...{ runId, seq, file, part, data, sha256, attempt, createdAt },
        });
      }
    }
  }

  /** Digest and writing attempt of every kept segment before `seq`, keyed `seq:file`. */
  async kept(runId: string, beforeSeq: number): Promise<Map<string, { sha256: string; attempt: number }>> {
    const found = this.parts.find(
      { runId, seq: { $lt: beforeSeq }, part: 0 },
      { projection: { seq: 1, file: 1, sha256: 1, attempt: 1 } },
    );
    const kept = new Map<string, { sha256: string; attempt: number }>();
    for await (const { seq, file, sha256, attempt } of found) kept.set(`${seq}:${file}`, { sha256, attempt });
    return kept;
  }

  /** Segments at and after `seq` belong to an interrupted attempt; they are rewritten from the checkpoint. */
  async discardFrom(runId: string, seq: number): Promise<void> {
    await this.parts.deleteMany({ runId, seq: { $gte: seq } });
  }

  /** One file's bytes, header first, pages in order, closing rows last. */
  async *read(runId: string, file: number): AsyncIterable<Buffer> {
    const found = this.parts.find({ runId, file }, { projection: { data: 1 } }).sort({ seq: 1, part: 1 });
    for await (const { data } of found) yield Buffer.from(data.buffer);
  }

  async deleteRun(runId: string): Promise<void> {
    await this.parts.deleteMany({ runId });
  }

  async pruneOlderThan(cutoff: Date): Promise<number> {
    const result = await this.parts.deleteMany({ createdAt: { $lt: cutoff } });
    return result.deletedCount;
  }
}
