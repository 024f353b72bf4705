import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { deflateRawSync, inflateRaw } from 'node:zlib';
import { Binary } from 'mongodb';
import type { Collection, Db, Document } from 'mongodb';
import { decodeHashes, encodeHashes } from '../core/hash64';
import { insertOrReplace, writtenByAttemptUpTo } from './insert-or-replace';

const PAGES_PREFIX = 'artifact_pages_';
export const PEOPLE_PREFIX = 'artifact_people_';
/** Documents per stored page: a page of any size is split into parts, each under the document limit. */
const PARTS_PER_PAGE = 2 ** 20;
/** Where the files' header lines and their derived closing rows sit: before page 0, after any page. */
const HEADER_ID = -PARTS_PER_PAGE;
const CLOSING_ID = 2 ** 32 * PARTS_PER_PAGE;
/** Well under MongoDB's 16 MB document limit, whatever a page of very long rows comes to. */
const MAX_PART_BYTES = 4 * 1024 * 1024;
/**
 * Pages are stored deflated: CSV text shrinks several times over, so the store (another process)
 * takes and gives back a fraction of the bytes. Level 1: the fastest, and most of the gain. Deflated
 * here, not on libuv's pool: a part takes under a millisecond, where an async call waited about 20
 * behind the pool's other work (file reads) and held up the build's next page write.
 */
const DEFLATE = { level: 1 };
/** Parts a reader inflates ahead of the one it hands on: a few MB. */
const READ_AHEAD = 4;
const inflate = promisify(inflateRaw);

/** What one rendered (part of a) page contributes, as the build step hands it over. */
export interface RenderedPart {
  /** Each file's bytes, in layout order. */
  files: readonly Buffer[];
  /** The unique-value hashes the part committed, per file and unique column (targets/sdk/row-checks.ts). */
  uniques: readonly (readonly bigint[])[][];
}

/** A kept part as read back to resume: its bytes and hashes, decoded. */
export interface KeptPart {
  files: Buffer[];
  uniques: BigUint64Array[][];
}

interface PageDocument extends Document {
  _id: number;
  /** `file0`, `file1`, ...: top-level fields, so one file is read with a plain projection. */
  [file: `file${number}`]: Binary;
  /** Per file (keyed by its index: FerretDB stores no arrays of arrays), per unique column. */
  uniques: Record<string, Binary[]>;
  createdAt: Date;
  /** The build attempt that wrote it: a late write of an earlier attempt never replaces it. */
  attempt?: number;
  /**
   * Each file's bytes are raw deflate (pages written before compression have neither field); the
   * files' sizes once inflated, so a read from an offset skips whole parts without inflating them.
   */
  deflated?: true;
  sizes?: number[];
  /** On the header: the report columns the people's cells follow (absent in runs from before reports). */
  peopleColumns?: string[];
  /** On the header: the source lists each id once (its people need no repeat check). */
  peopleUnique?: true;
}

/**
 * A run's rendered files, kept as the pages the build step wrote them in: one collection per run,
 * documents numbered in file order (header, then each stored page's parts, then the closing rows).
 * This is the artifact itself (delivery, audit and later diffs read it), and the build's resume
 * state: a retried build keeps the pages before its checkpoint and rewrites the rest. One collection
 * per run keeps every query to the run's own documents (FerretDB's SQLite backend scans a collection
 * for a filtered query) and makes deleting a run's data a drop, whatever the roster's size.
 */
export class ArtifactPageStore {
  constructor(private readonly db: Db) {}

  private pages(runId: string): Collection<PageDocument> {
    return this.db.collection<PageDocument>(`${PAGES_PREFIX}${safeName(runId)}`);
  }

  /**
   * The people of each page (for the change report), one document a page in a collection of their
   * own: the report reads them without reading the files' bytes.
   */
  private peopleOf(runId: string): Collection<PeopleDocument> {
    return this.db.collection<PeopleDocument>(`${PEOPLE_PREFIX}${safeName(runId)}`);
  }

  /** The artifact id delivery uses for one of the run's files. */
  static artifactId(runId: string, file: number): string {
    return `pages:${file}:${runId}`;
  }

  static parseArtifactId(id: string): { runId: string; file: number } | undefined {
    const match = /^pages:(\d+):(.+)$/.exec(id);
    return match ? { file: Number(match[1]), runId: match[2]! } : undefined;
  }

  /**
   * Writes one stored page (`page` from 0) as its rendered parts, in order, for build `attempt`;
   * idempotent for the same bytes, and never over a later attempt's page.
   */
  async putPage(
    runId: string,
    page: number,
    parts: readonly RenderedPart[],
    attempt: number,
    /** The page's people (report/person.ts): their index and their records, encoded. */
    people?: { index: Buffer; records: Buffer },
  ): Promise<void> {
    let next = page * PARTS_PER_PAGE;
    for (const part of parts) next = await this.putParts(runId, next, part, attempt);
    if (people) {
      const doc = {
        _id: page,
        index: binary(people.index),
        records: binary(people.records),
        attempt,
        createdAt: new Date(),
      };
      await insertOrReplace(this.peopleOf(runId), doc, writtenByAttemptUpTo(attempt));
    }
  }

  /** The files' header lines, and the report columns the pages' people follow. */
  async putHeader(
    runId: string,
    files: readonly Buffer[],
    attempt: number,
    people?: { columns: string[]; unique: boolean },
  ): Promise<void> {
    const extra = people
      ? { peopleColumns: people.columns, ...(people.unique ? { peopleUnique: true as const } : {}) }
      : {};
    await this.putParts(runId, HEADER_ID, { files, uniques: [] }, attempt, extra);
  }

  /** The report columns of the run's people, or undefined for a run built before change reports. */
  async peopleColumns(runId: string): Promise<string[] | undefined> {
    return (await this.peopleHeader(runId))?.columns;
  }

  /** What the header says of the run's people: their columns, and whether the source listed each id once. */
  async peopleHeader(runId: string): Promise<{ columns: string[]; unique: boolean } | undefined> {
    const header = await this.pages(runId).findOne(
      { _id: HEADER_ID },
      { projection: { peopleColumns: 1, peopleUnique: 1 } },
    );
    return header?.peopleColumns ? { columns: header.peopleColumns, unique: header.peopleUnique === true } : undefined;
  }

  /** Each stored page's people, encoded (report/person.ts `decodeIndex`, `peopleReader`), in page order. */
  async *people(runId: string): AsyncIterable<{ index: Uint8Array; records: Uint8Array }> {
    for await (const doc of this.peopleOf(runId).find({}).sort({ _id: 1 }))
      yield { index: doc.index.buffer, records: doc.records.buffer };
  }

  async putClosing(runId: string, files: readonly Buffer[], attempt: number): Promise<void> {
    await this.putParts(runId, CLOSING_ID, { files, uniques: [] }, attempt);
  }

  /**
   * Parts of pages at and after `page` belong to an interrupted attempt; build `attempt` writes them
   * again (a later attempt's parts it leaves alone).
   */
  async discardFrom(runId: string, page: number, attempt: number): Promise<void> {
    await this.pages(runId).deleteMany({ _id: { $gte: page * PARTS_PER_PAGE }, ...writtenByAttemptUpTo(attempt) });
    await this.peopleOf(runId).deleteMany({ _id: { $gte: page }, ...writtenByAttemptUpTo(attempt) });
  }

  /** The kept parts of the pages before `page`, in order (what a resumed build re-reads of the store). */
  async *kept(runId: string, beforePage: number, files: number): AsyncIterable<KeptPart> {
    const found = this.pages(runId)
      .find({ _id: { $gte: 0, $lt: beforePage * PARTS_PER_PAGE } })
      .sort({ _id: 1 });
    const current = currentParts();
    for await (const doc of found) {
      if (!current(doc)) continue;
      yield {
        files: await Promise.all(Array.from({ length: files }, (_, file) => bytesOf(doc, file))),
        uniques: Array.from({ length: files }, (_, file) =>
          (doc.uniques?.[String(file)] ?? []).map((hashes) => decodeHashes(hashes.buffer)),
        ),
      };
    }
  }

  /**
   * One file's bytes from `start`, header first, pages in order, closing rows last. Up to READ_AHEAD
   * parts are inflated at once (on libuv's pool) while the consumer writes the one before.
   */
  read(runId: string, file: number, start = 0): Readable {
    const pages = this.pages(runId);
    const field = `file${file}` as const;
    return Readable.from(
      (async function* () {
        let skip = start;
        /** What is left of a part once the bytes before `start` are skipped. */
        const fromStart = (bytes: Buffer): Buffer | undefined => {
          if (skip >= bytes.length) {
            skip -= bytes.length;
            return undefined;
          }
          const rest = skip > 0 ? bytes.subarray(skip) : bytes;
          skip = 0;
          return rest;
        };
        const found = pages
          .find({}, { projection: { [field]: 1, deflated: 1, sizes: 1, attempt: 1 } })
          .sort({ _id: 1 });
        const current = currentParts();
        const inflating: Promise<Buffer>[] = [];
        for await (const doc of found) {
          if (!current(doc)) continue;
          // Parts before `start` whose size is known are not inflated (nor are empty parts, of a file
          // other pages write nothing to, like OneRoster's orgs), as long as none is pending before them.
          const size = doc.sizes?.[file];
          if (size !== undefined && inflating.length === 0 && skip >= size) {
            skip -= size;
            continue;
          }
          const bytes = bytesOf(doc, file);
          // Awaited in order below; a failure meanwhile is not an unhandled rejection.
          bytes.catch(() => undefined);
          inflating.push(bytes);
          if (inflating.length < READ_AHEAD) continue;
          const next = fromStart(await inflating.shift()!);
          if (next) yield next;
        }
        for (const bytes of inflating) {
          const next = fromStart(await bytes);
          if (next) yield next;
        }
      })(),
      { objectMode: false },
    );
  }

  /**
   * Drops the page collections of builds that never finished (a workflow terminated mid-build never
   * reaches finishRun) once their header is older than `cutoff`. `keep` says whether a run's pages
   * are still wanted (its record lists them as its artifacts).
   */
  async pruneAbandoned(cutoff: Date, keep: (runId: string) => Promise<boolean>): Promise<number> {
    let dropped = 0;
    const names = new Set<string>();
    for await (const { name } of this.db.listCollections({}, { nameOnly: true })) names.add(name);
    for (const name of names) {
      const runId = name.startsWith(PAGES_PREFIX) ? name.slice(PAGES_PREFIX.length) : undefined;
      // People whose pages are gone (a drop cut short): dropped once old, whatever the run says.
      if (name.startsWith(PEOPLE_PREFIX) && !names.has(`${PAGES_PREFIX}${name.slice(PEOPLE_PREFIX.length)}`)) {
        const first = await this.db.collection<PeopleDocument>(name).findOne({}, { projection: { createdAt: 1 } });
        if (!first || first.createdAt < cutoff)
          await this.db
            .collection(name)
            .drop()
            .catch(() => undefined);
        continue;
      }
      if (runId === undefined) continue;
      const header = await this.db.collection<PageDocument>(name).findOne({ _id: HEADER_ID });
      if (header && header.createdAt >= cutoff) continue;
      if (await keep(runId)) continue;
      await this.drop(runId);
      dropped += 1;
    }
    return dropped;
  }

  /** Deletes the run's pages (artifacts and resume state) at once. */
  async drop(runId: string): Promise<void> {
    // The people first: pages left without them are still found by pruneAbandoned, people without pages too.
    await this.peopleOf(runId)
      .drop()
      .catch(() => undefined);
    await this.pages(runId)
      .drop()
      .catch(() => undefined);
  }

  /** Writes a part as one document, or several when its bytes are large; returns the next free id. */
  private async putParts(
    runId: string,
    firstId: number,
    part: RenderedPart,
    attempt: number,
    /** Fields of the first document only. */
    extra: Pick<PageDocument, 'peopleColumns' | 'peopleUnique'> = {},
  ): Promise<number> {
    const total = part.files.reduce((sum, bytes) => sum + bytes.length, 0);
    const count = Math.max(1, Math.ceil(total / MAX_PART_BYTES));
    // More would run into the next page's ids (4 TB of one page: never, but never silently either).
    if (count >= PARTS_PER_PAGE) throw new Error(`a page of ${total} bytes is too large to store`);
    const pages = this.pages(runId);
    const createdAt = new Date();
    for (let index = 0; index < count; index += 1) {
      const doc: PageDocument = {
        _id: firstId + index,
        uniques:
          index === 0
            ? Object.fromEntries(
                part.uniques.map((columns, file) => [
                  String(file),
                  columns.map((hashes) => binary(encodeHashes(hashes))),
                ]),
              )
            : {},
        createdAt,
        attempt,
        ...(index === 0 ? extra : {}),
      };
      const pieces = part.files.map((bytes) => {
        const size = Math.ceil(bytes.length / count);
        return bytes.subarray(index * size, (index + 1) * size);
      });
      doc.deflated = true;
      doc.sizes = pieces.map((piece) => piece.length);
      const deflated = pieces.map((piece) => deflateRawSync(piece, DEFLATE));
      for (const [file, bytes] of deflated.entries()) doc[`file${file}`] = binary(bytes);
      await insertOrReplace(pages, doc, writtenByAttemptUpTo(attempt));
    }
    return firstId + count;
  }
}

const binary = (bytes: Buffer) => new Binary(bytes);
const safeName = (runId: string) => runId.replace(/[^A-Za-z0-9_-]/g, '_');

interface PeopleDocument extends Document {
  /** The stored page's number. */
  _id: number;
  index: Binary;
  records: Binary;
  attempt: number;
  createdAt: Date;
}

/**
 * For documents read in id order: whether each belongs to its page as the page's first part has it.
 * A page's first part is always its latest attempt's (an earlier attempt never replaces a later
 * one's), so a further part of another attempt is one a superseded attempt left or landed late (its
 * page had more parts then): no part of the file.
 */
function currentParts(): (doc: Pick<PageDocument, '_id' | 'attempt'>) => boolean {
  let page: number | undefined;
  let attempt: number | undefined;
  return (doc) => {
    const of = Math.floor(doc._id / PARTS_PER_PAGE);
    if (of !== page) {
      page = of;
      attempt = doc.attempt;
      return true;
    }
    return doc.attempt === attempt;
  };
}
/** One file's bytes of a stored part, inflated where they were stored deflated. */
async function bytesOf(doc: PageDocument, file: number): Promise<Buffer> {
  const value = doc[`file${file}`];
  if (!value) return Buffer.alloc(0);
  const bytes = Buffer.from(value.buffer.buffer, value.buffer.byteOffset, value.buffer.byteLength);
  return doc.deflated ? inflate(bytes) : bytes;
}
