import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { Binary } from 'mongodb';
import type { Collection, Db } from 'mongodb';
import { CHANGE_KINDS } from '../report/compare';
import type { ChangeEntry, ChangeKind } from '../report/compare';
import { insertOrReplace, writtenByAttemptUpTo } from './insert-or-replace';

const REPORT_PREFIX = 'change_report_';
/** Entries per stored document: a few hundred KB of JSON at most, deflated. */
const ENTRIES_PER_DOC = 1000;
/** Documents of one kind are numbered from kind * KIND_SPAN, so reading in `_id` order reads kind by kind. */
const KIND_SPAN = 2 ** 32;
const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

interface ReportDocument {
  _id: number;
  kind: ChangeKind;
  /** The report attempt that wrote it: readers take only the attempt the run record names. */
  attempt: number;
  count: number;
  /** The entries, as deflated JSON. */
  entries: Binary;
  createdAt: Date;
}

/**
 * Each run's change report (report/compare.ts): every person the run adds, changes or deactivates
 * for its target, with names, emails and column values. Personal data, so it lives here only, in one
 * collection per run beside the run's artifact pages (dropped the same way, whatever its size), and
 * never in Temporal; the run record keeps its counts.
 */
export class ChangeReportStore {
  constructor(private readonly db: Db) {}

  private collection(runId: string): Collection<ReportDocument> {
    return this.db.collection<ReportDocument>(`${REPORT_PREFIX}${runId.replace(/[^A-Za-z0-9_-]/g, '_')}`);
  }

  /** Starts attempt `attempt` of a run's report, dropping what other attempts wrote. */
  async open(runId: string, attempt: number): Promise<ChangeReportWriter> {
    await this.collection(runId).deleteMany({ attempt: { $ne: attempt } });
    return new ChangeReportWriter(this.collection(runId), attempt);
  }

  /** A report's entries of one kind (or all, kind by kind), in the order they were written. */
  async *entries(runId: string, attempt: number, kind?: ChangeKind): AsyncIterable<ChangeEntry> {
    const found = this.collection(runId)
      .find({ attempt, ...(kind ? { kind } : {}) }, { projection: { entries: 1 } })
      .sort({ _id: 1 });
    for await (const doc of found) yield* await decodeEntries(doc.entries);
  }

  /** The first `limit` entries of a kind. */
  async first(runId: string, attempt: number, kind: ChangeKind, limit: number): Promise<ChangeEntry[]> {
    const first: ChangeEntry[] = [];
    if (limit <= 0) return first;
    for await (const entry of this.entries(runId, attempt, kind)) {
      first.push(entry);
      if (first.length >= limit) break;
    }
    return first;
  }

  /** One attempt's entries, written for a report that is not recorded after all. */
  async discardAttempt(runId: string, attempt: number): Promise<void> {
    await this.collection(runId).deleteMany({ attempt });
  }

  async drop(runId: string): Promise<void> {
    await this.collection(runId)
      .drop()
      .catch(() => undefined);
  }
}

/** Writes one report attempt's entries in documents of ENTRIES_PER_DOC, kind by kind. */
export class ChangeReportWriter {
  private readonly pending = new Map<ChangeKind, ChangeEntry[]>();
  private readonly next = new Map<ChangeKind, number>();

  constructor(
    private readonly collection: Collection<ReportDocument>,
    private readonly attempt: number,
  ) {}

  async add(entry: ChangeEntry): Promise<void> {
    const pending = this.pending.get(entry.kind) ?? [];
    pending.push(entry);
    this.pending.set(entry.kind, pending);
    if (pending.length >= ENTRIES_PER_DOC) await this.flush(entry.kind);
  }

  async close(): Promise<void> {
    for (const kind of CHANGE_KINDS) await this.flush(kind);
  }

  private async flush(kind: ChangeKind): Promise<void> {
    const entries = this.pending.get(kind) ?? [];
    if (entries.length === 0) return;
    this.pending.set(kind, []);
    const seq = this.next.get(kind) ?? 0;
    this.next.set(kind, seq + 1);
    const bytes = await deflate(Buffer.from(JSON.stringify(entries), 'utf8'), { level: 1 });
    await insertOrReplace(
      this.collection,
      {
        _id: CHANGE_KINDS.indexOf(kind) * KIND_SPAN + seq,
        kind,
        attempt: this.attempt,
        count: entries.length,
        entries: new Binary(bytes),
        createdAt: new Date(),
      },
      writtenByAttemptUpTo(this.attempt),
    );
  }
}

async function decodeEntries(entries: Binary): Promise<ChangeEntry[]> {
  const parsed: unknown = JSON.parse((await inflate(entries.buffer)).toString('utf8'));
  if (!Array.isArray(parsed) || !parsed.every(isEntry))
    throw new Error("a stored change report's entries are not in the expected form (written by another version?)");
  return parsed;
}

function isEntry(value: unknown): value is ChangeEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    CHANGE_KINDS.includes(entry['kind'] as ChangeKind) &&
    typeof entry['id'] === 'string' &&
    typeof entry['name'] === 'string' &&
    typeof entry['email'] === 'string' &&
    (entry['columns'] === undefined || Array.isArray(entry['columns']))
  );
}
