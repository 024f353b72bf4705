import type { Collection, Db } from 'mongodb';
import { insertOrReplace } from './insert-or-replace';
import type { Employee } from '../core/employee';

/** One page of extracted employees, staged between the extract and render steps of a run. */
interface StagedPage {
  _id: string;
  runId: string;
  seq: number;
  records: Employee[];
  /** The source cursor after this page: where a resumed extract continues. */
  cursor: string;
  /** Source ids of the page's employees the render's row checks refused. */
  renderRejected?: string[];
  createdAt: Date;
}

export class StagingStore {
  private readonly pages: Collection<StagedPage>;

  constructor(db: Db) {
    this.pages = db.collection<StagedPage>('staged_pages');
  }

  async ensureIndexes(): Promise<void> {
    await this.pages.createIndex({ runId: 1, seq: 1 });
    await this.pages.createIndex({ createdAt: 1 });
  }

  /** Idempotent per (run, seq): writing the same page again replaces it. */
  async putPage(runId: string, seq: number, records: Employee[], cursor: string): Promise<void> {
    const page = { runId, seq, records, cursor, createdAt: new Date() };
    await insertOrReplace(this.pages, { _id: `${runId}:${seq}`, ...page });
  }

  async *readPages(runId: string): AsyncIterable<Employee[]> {
    for await (const page of this.readNumberedPages(runId)) yield page.records;
  }

  /** Notes which employees of a page the render refused: the safety plan counts them as gone from the target. */
  async setRenderRejected(runId: string, seq: number, sourceIds: string[]): Promise<void> {
    await this.pages.updateOne({ _id: `${runId}:${seq}` }, { $set: { renderRejected: sourceIds } });
  }

  /** The staged pages in order, with the ids the render refused (what the safety plan reads). */
  async *readPagesForPlan(runId: string): AsyncIterable<{ records: Employee[]; renderRejected: ReadonlySet<string> }> {
    const cursor = this.pages.find({ runId }, { projection: { records: 1, renderRejected: 1 } }).sort({ seq: 1 });
    for await (const { records, renderRejected } of cursor) yield { records, renderRejected: new Set(renderRejected) };
  }

  /** The staged pages in order, each with its number (a render checkpoint names one). */
  async *readNumberedPages(runId: string): AsyncIterable<{ seq: number; records: Employee[] }> {
    const cursor = this.pages.find({ runId }, { projection: { seq: 1, records: 1 } }).sort({ seq: 1 });
    for await (const { seq, records } of cursor) yield { seq, records };
  }

  /** Pages at and after `seq` belong to an interrupted attempt; they are rewritten from the checkpoint. */
  async discardFrom(runId: string, seq: number): Promise<void> {
    await this.pages.deleteMany({ runId, seq: { $gte: seq } });
  }

  async deleteRun(runId: string): Promise<void> {
    await this.pages.deleteMany({ runId });
  }

  /**
   * Staged rows are employee data: they are deleted when a run ends, and anything an abandoned run
   * left behind is pruned here (TTL indexes are not available on every MongoDB-compatible server).
   */
  async pruneOlderThan(cutoff: Date): Promise<number> {
    const result = await this.pages.deleteMany({ createdAt: { $lt: cutoff } });
    return result.deletedCount;
  }
}
