import { createReadStream, createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Hash64Set } from '../core/hash64';
import { comparePerson } from './compare';
import type { ChangeEntry, Comparison } from './compare';
import { INDEX_EMPLOYED, cellsFingerprint, indexState } from './person';
import type { PeopleIndex, PersonRecord } from './person';

/**
 * A stored page of people: its index (id hashes, fingerprints, flags) read at once, its records
 * decoded only when asked (most pages of a nightly run never need theirs).
 */
export interface LazyPage {
  index: PeopleIndex;
  /** The person at a position of the index, read from the page's records only when asked. */
  record: (position: number) => PersonRecord;
}

const SPILL_PREFIX = 'rosterflow-report-';
/** Longer than any plan attempt runs (2 hours): a spill this old was left by a killed worker. */
const STALE_SPILL_MS = 6 * 60 * 60 * 1000;

/** Changed people whose last-delivery values are looked up together: the most held in memory at once. */
const PENDING_PER_CHUNK = 50_000;

export interface CompareCounts {
  added: number;
  changed: number;
  deactivated: number;
  unchanged: number;
}

export interface CompareOutcome {
  counts: CompareCounts;
  /** People in the last delivery's files (each once). */
  baselineDelivered: number;
  /** Every person each side's pages held (each pulled employee is one): what the caller checks is whole. */
  people: { current: number; baseline: number };
}

export interface CompareInput {
  /** The last delivery's people, page by page, readable twice; absent on a first delivery. */
  baseline?: () => AsyncIterable<LazyPage>;
  current: AsyncIterable<LazyPage>;
  columns: readonly string[];
  /** Where each of `columns` is in the last delivery's cells (report/compare.ts `columnMatcher`). */
  baselineIndex: readonly (number | undefined)[];
  /** Both runs have the same columns in the same order: the stored fingerprints compare as they are. */
  sameColumns: boolean;
  /** This run's source lists each id once: no repeat check (its table, 12 bytes a person, is not kept). */
  currentUnique?: boolean;
  /** Count the added without reporting them (a first delivery: the files are that list). */
  countAddedOnly?: boolean;
  emit: (entry: ChangeEntry) => Promise<void>;
  /** Called every few thousand people, for the activity's heartbeat. */
  progress?: (compared: number) => void;
}

/** The ordinal of an id the last delivery listed but left out of its files (it took no ordinal). */
const NOT_DELIVERED = 2 ** 32 - 1;
const EMPLOYED = 1;
const SEEN = 2;
const PENDING = 4;

/**
 * Compares this run's people with the last delivery's by id, in memory bounded by a few compact
 * arrays (about 30 bytes a person of the last delivery) and PENDING_PER_CHUNK records:
 * 1. the last delivery's people in its files become a hashed table: id hash -> a fingerprint of
 *    their cells (in this run's column order) and whether they were employed;
 * 2. this run's people are looked up one by one: unchanged (same fingerprint) is counted, added or
 *    deactivated is reported at once; a changed one waits, spilled to a temporary file, for its old
 *    values;
 * 3. the last delivery is read again, only its pages holding someone changed or gone: the changed
 *    are compared column by column, the gone reported.
 * A person the source repeats counts once; so does one the last delivery repeated.
 */
export async function compareRosters(input: CompareInput): Promise<CompareOutcome> {
  const counts: CompareCounts = { added: 0, changed: 0, deactivated: 0, unchanged: 0 };
  let compared = 0;
  const tally = async (result: Comparison) => {
    compared += 1;
    if (compared % 10_000 === 0) input.progress?.(compared);
    if (result === 'outside') return;
    if (result === 'unchanged') counts.unchanged += 1;
    else {
      counts[result.kind] += 1;
      await input.emit(result);
    }
  };
  const baseline = input.baseline
    ? await readBaseline(input.baseline(), input, () => input.progress?.(compared))
    : undefined;
  const current = { people: 0 };
  if (baseline) await sweepStaleSpills();
  const folder = baseline ? await mkdtemp(join(tmpdir(), SPILL_PREFIX)) : undefined;
  try {
    const pending = folder ? new PendingSpill(folder) : undefined;
    const repeated = input.currentUnique ? undefined : new Hash64Set();
    for await (const page of input.current) {
      input.progress?.(compared);
      const { ids, fingerprints, flags } = page.index;
      /**
       * Positions in the page that need the person's record (anything but unchanged or outside), with
       * their ordinal in the last delivery's files when they had one.
       */
      const needed: { at: number; ordinal: number | undefined }[] = [];
      for (let at = 0; at < ids.length; at += 1) {
        current.people += 1;
        if (repeated && !repeated.add(ids[at]!)) continue;
        const ordinal = inFiles(baseline?.ordinals.get(ids[at]!));
        const state = indexState(flags[at]!);
        if (ordinal === undefined || !baseline) {
          // New to the target's files, or outside them both times.
          if (state !== 'delivered') await tally('outside');
          else if (input.countAddedOnly) {
            counts.added += 1;
            compared += 1;
          } else needed.push({ at, ordinal: undefined });
          continue;
        }
        baseline.flags[ordinal]! |= SEEN;
        const wasEmployed = (baseline.flags[ordinal]! & EMPLOYED) !== 0;
        const employed = (flags[at]! & INDEX_EMPLOYED) !== 0;
        const sameCells = state === 'delivered' && fingerprints[at] === baseline.fingerprints[ordinal];
        if (sameCells && !(wasEmployed && !employed)) await tally('unchanged');
        else if (state !== 'delivered' && !wasEmployed) await tally('outside');
        else needed.push({ at, ordinal });
      }
      for (const { at, ordinal } of needed) {
        const person = page.record(at);
        if (ordinal === undefined || !baseline) {
          await tally(comparePerson(undefined, person, input.columns, input.baselineIndex));
          continue;
        }
        const wasEmployed = (baseline.flags[ordinal]! & EMPLOYED) !== 0;
        // Left out, refused, or a leaver with the same cells: decided without the old values.
        if (person.state !== 'delivered' || page.index.fingerprints[at] === baseline.fingerprints[ordinal]) {
          await tally(comparePerson(asBefore(person, wasEmployed), person, [], []));
          continue;
        }
        baseline.flags[ordinal]! |= PENDING;
        await pending!.add(ordinal, person);
      }
    }
    if (baseline && pending && input.baseline) {
      await pending.close();
      await resolveAgainstBaseline(input, baseline, pending, tally);
    }
    return {
      counts,
      baselineDelivered: baseline?.size ?? 0,
      people: { current: current.people, baseline: baseline?.people ?? 0 },
    };
  } finally {
    if (folder) await rm(folder, { recursive: true, force: true });
  }
}

/** An ordinal of someone in the last delivery's files; undefined for anyone else. */
function inFiles(ordinal: number | undefined): number | undefined {
  return ordinal === NOT_DELIVERED ? undefined : ordinal;
}

/** Someone as the last delivery had them, for a decision that needs no old values: only whether employed. */
function asBefore(person: PersonRecord, employed: boolean): PersonRecord {
  return { id: person.id, state: 'delivered', employed, left: false, name: person.name, email: person.email };
}

interface BaselineTable {
  /** Id hash -> the person's ordinal among the last delivery's people in its files. */
  ordinals: Hash64Set;
  fingerprints: BigUint64Array;
  flags: Uint8Array;
  /** For each page, the ordinal of its first person in the files. */
  pageStarts: number[];
  size: number;
  /** Every person the pages hold, in the files or not, repeats too: each pulled employee is one. */
  people: number;
}

async function readBaseline(
  pages: AsyncIterable<LazyPage>,
  input: Pick<CompareInput, 'baselineIndex' | 'sameColumns'>,
  onPage: () => void,
): Promise<BaselineTable> {
  const table: BaselineTable = {
    ordinals: new Hash64Set({ withValues: true }),
    fingerprints: new BigUint64Array(1024),
    flags: new Uint8Array(1024),
    pageStarts: [],
    size: 0,
    people: 0,
  };
  for await (const page of pages) {
    onPage();
    table.pageStarts.push(table.size);
    const { ids, fingerprints, flags } = page.index;
    // Columns changed since: the fingerprints are recomputed in this run's column order, from the records.
    table.people += ids.length;
    for (let at = 0; at < ids.length; at += 1) {
      // An id's first occurrence decides, whatever its state: the same rule as this run's repeats.
      const delivered = indexState(flags[at]!) === 'delivered';
      if (!table.ordinals.add(ids[at]!, delivered ? table.size : NOT_DELIVERED) || !delivered) continue;
      if (table.size === table.flags.length) grow(table);
      table.fingerprints[table.size] = input.sameColumns
        ? fingerprints[at]!
        : reordered(page.record(at).cells ?? [], input.baselineIndex);
      table.flags[table.size] = (flags[at]! & INDEX_EMPLOYED) !== 0 ? EMPLOYED : 0;
      table.size += 1;
    }
  }
  return table;
}

/** A last-delivery person's cells, in this run's column order, fingerprinted as this run's are. */
function reordered(cells: readonly string[], order: readonly (number | undefined)[]): bigint {
  return cellsFingerprint(order.map((at) => (at === undefined ? '' : (cells[at] ?? ''))));
}

function grow(table: BaselineTable): void {
  const fingerprints = new BigUint64Array(table.fingerprints.length * 2);
  fingerprints.set(table.fingerprints);
  const flags = new Uint8Array(table.flags.length * 2);
  flags.set(table.flags);
  Object.assign(table, { fingerprints, flags });
}

/**
 * Step 3: the last delivery read again in the same order (so each person gets the same ordinal),
 * decoding only pages that hold someone changed or gone; changed people come back from their spill
 * one chunk of ordinals at a time.
 */
async function resolveAgainstBaseline(
  input: CompareInput,
  baseline: BaselineTable,
  pending: PendingSpill,
  tally: (result: Comparison) => Promise<void>,
): Promise<void> {
  const wanted = (at: number) => {
    const flags = baseline.flags[at]!;
    return (flags & PENDING) !== 0 || ((flags & SEEN) === 0 && (flags & EMPLOYED) !== 0);
  };
  let expected = 0;
  for (let at = 0; at < baseline.size; at += 1) if (wanted(at)) expected += 1;
  let resolved = 0;
  let pageAt = 0;
  let chunk = -1;
  let changed = new Map<number, PersonRecord>();
  for await (const page of input.baseline!()) {
    input.progress?.(resolved);
    const start = baseline.pageStarts[pageAt] ?? baseline.size;
    const end = baseline.pageStarts[pageAt + 1] ?? baseline.size;
    pageAt += 1;
    let needed = false;
    for (let at = start; at < end && !needed; at += 1) needed = wanted(at);
    if (!needed) continue;
    const { ids, flags } = page.index;
    for (let at = 0; at < ids.length; at += 1) {
      if (indexState(flags[at]!) !== 'delivered') continue;
      const ordinal = baseline.ordinals.get(ids[at]!);
      // Not an ordinal of this page: a repeat of someone earlier in the last delivery.
      if (ordinal === undefined || ordinal < start || ordinal >= end || !wanted(ordinal)) continue;
      const person = page.record(at);
      const wasPending = (baseline.flags[ordinal]! & PENDING) !== 0;
      // Resolved once: a repeat of this person later in the page is not wanted again.
      baseline.flags[ordinal] = (baseline.flags[ordinal]! & ~PENDING) | SEEN;
      resolved += 1;
      // Gone from the source (never seen this run): reported as deactivated, if they were employed.
      if (!wasPending) {
        await tally(comparePerson(person, undefined, input.columns, input.baselineIndex));
        continue;
      }
      if (Math.floor(ordinal / PENDING_PER_CHUNK) !== chunk) {
        chunk = Math.floor(ordinal / PENDING_PER_CHUNK);
        changed = await pending.chunk(chunk);
      }
      const now = changed.get(ordinal);
      if (!now) throw new Error(`the change report lost a changed person (ordinal ${ordinal}) between its passes`);
      await tally(comparePerson(person, now, input.columns, input.baselineIndex));
    }
  }
  // Every changed or gone person is resolved exactly once, or the report is not written.
  if (resolved !== expected)
    throw new Error(`the change report resolved ${resolved} of ${expected} changed or gone people; it is made again`);
}

/** This run's changed people, waiting for their old values, in files by chunk of ordinals. */
class PendingSpill {
  private readonly files = new Map<number, WriteStream>();
  /** A write that failed (a full disk): thrown at the next add or close, never as an uncaught error. */
  private failed: Error | undefined;

  constructor(private readonly folder: string) {}

  async add(ordinal: number, person: PersonRecord): Promise<void> {
    if (this.failed) throw this.failed;
    const chunk = Math.floor(ordinal / PENDING_PER_CHUNK);
    let file = this.files.get(chunk);
    if (!file) {
      file = createWriteStream(this.path(chunk));
      file.on('error', (err) => (this.failed ??= err));
      this.files.set(chunk, file);
    }
    if (!file.write(`${JSON.stringify([ordinal, person])}\n`)) await once(file, 'drain');
  }

  async close(): Promise<void> {
    await Promise.all([...this.files.values()].map((file) => new Promise((resolve) => file.end(resolve))));
    if (this.failed) throw this.failed;
  }

  /** One chunk's people by ordinal (our own lines, written moments ago). */
  async chunk(chunk: number): Promise<Map<number, PersonRecord>> {
    const people = new Map<number, PersonRecord>();
    if (!this.files.has(chunk)) return people;
    const lines = createInterface({ input: createReadStream(this.path(chunk)), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.length === 0) continue;
      const [ordinal, person] = JSON.parse(line) as [number, PersonRecord];
      people.set(ordinal, person);
    }
    return people;
  }

  private path(chunk: number): string {
    return join(this.folder, `pending-${chunk}.jsonl`);
  }
}

/** Deletes what a worker killed mid-report left in the temporary folder (changed people's values). */
async function sweepStaleSpills(): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names.filter((entry) => entry.startsWith(SPILL_PREFIX))) {
    const path = join(tmpdir(), name);
    const modified = await stat(path).then(
      (info) => info.mtimeMs,
      () => Date.now(),
    );
    if (Date.now() - modified > STALE_SPILL_MS) await rm(path, { recursive: true, force: true });
  }
}
