import { createReadStream, createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Hash64Set, hash64 } from '../core/hash64';
import { comparePerson } from './compare';
import type { ChangeEntry, Comparison } from './compare';
import type { PersonRecord } from './person';

/** A stored page of people, decoded only when asked (a page nobody changed in is never decoded twice). */
export type LazyPage = () => PersonRecord[];

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
  emit: (entry: ChangeEntry) => Promise<void>;
  /** Called every few thousand people, for the activity's heartbeat. */
  progress?: (compared: number) => void;
}

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
    ? await readBaseline(input.baseline(), input.baselineIndex, () => input.progress?.(compared))
    : undefined;
  const current = { people: 0 };
  if (baseline) await sweepStaleSpills();
  const folder = baseline ? await mkdtemp(join(tmpdir(), SPILL_PREFIX)) : undefined;
  try {
    const pending = folder ? new PendingSpill(folder) : undefined;
    const repeated = new Hash64Set();
    for await (const page of input.current) {
      input.progress?.(compared);
      for (const person of page()) {
        current.people += 1;
        const id = hash64(person.id);
        if (!repeated.add(id)) continue;
        const at = baseline?.ordinals.get(id);
        if (at === undefined || !baseline) {
          await tally(comparePerson(undefined, person, input.columns, input.baselineIndex));
          continue;
        }
        baseline.flags[at]! |= SEEN;
        const wasEmployed = (baseline.flags[at]! & EMPLOYED) !== 0;
        // The same cells: unchanged, or (employed then, a leaver now) deactivated with no column changed.
        if (person.state === 'delivered' && fingerprint(person.cells ?? [], IDENTITY) === baseline.fingerprints[at]) {
          await tally(
            wasEmployed && !person.employed ? comparePerson(asBefore(person, true), person, [], []) : 'unchanged',
          );
          continue;
        }
        // Left out or refused: deactivated if employed then, whatever the old values were.
        if (person.state !== 'delivered') {
          await tally(comparePerson(asBefore(person, wasEmployed), person, [], []));
          continue;
        }
        baseline.flags[at]! |= PENDING;
        await pending!.add(at, person);
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

/** Someone as the last delivery had them, for a decision that needs no old values: only whether employed. */
function asBefore(person: PersonRecord, employed: boolean): PersonRecord {
  return { id: person.id, state: 'delivered', employed, left: false, name: person.name, email: person.email };
}

/** Cells in this run's column order, as they are (the current side). */
const IDENTITY: readonly (number | undefined)[] = [];

/** A person's cells, in this run's column order, as one 64-bit hash. */
function fingerprint(cells: readonly string[], order: readonly (number | undefined)[]): bigint {
  if (order === IDENTITY) return hash64(cells.join('\u0000'));
  return hash64(order.map((at) => (at === undefined ? '' : (cells[at] ?? ''))).join('\u0000'));
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
  baselineIndex: readonly (number | undefined)[],
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
    for (const person of page()) {
      table.people += 1;
      if (person.state !== 'delivered' || !table.ordinals.add(hash64(person.id), table.size)) continue;
      if (table.size === table.flags.length) grow(table);
      table.fingerprints[table.size] = fingerprint(person.cells ?? [], baselineIndex);
      table.flags[table.size] = person.employed ? EMPLOYED : 0;
      table.size += 1;
    }
  }
  return table;
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
  let pageAt = 0;
  let chunk = -1;
  let changed = new Map<number, PersonRecord>();
  for await (const page of input.baseline!()) {
    input.progress?.(-1);
    const start = baseline.pageStarts[pageAt] ?? baseline.size;
    const end = baseline.pageStarts[pageAt + 1] ?? baseline.size;
    pageAt += 1;
    let needed = false;
    for (let at = start; at < end && !needed; at += 1) needed = wanted(at);
    if (!needed) continue;
    for (const person of page()) {
      if (person.state !== 'delivered') continue;
      const at = baseline.ordinals.get(hash64(person.id));
      // Not an ordinal of this page: a repeat of someone earlier in the last delivery.
      if (at === undefined || at < start || at >= end || !wanted(at)) continue;
      // Gone from the source (never seen this run): reported as deactivated, if they were employed.
      if ((baseline.flags[at]! & PENDING) === 0) {
        await tally(comparePerson(person, undefined, input.columns, input.baselineIndex));
        continue;
      }
      if (Math.floor(at / PENDING_PER_CHUNK) !== chunk) {
        chunk = Math.floor(at / PENDING_PER_CHUNK);
        changed = await pending.chunk(chunk);
      }
      await tally(comparePerson(person, changed.get(at), input.columns, input.baselineIndex));
    }
  }
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
