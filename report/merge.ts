import { createReadStream, createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hash64 } from '../core/hash64';
import { comparePerson } from './compare';
import type { ChangeEntry } from './compare';
import type { PersonRecord } from './person';

/**
 * People compared in memory at once: the comparison holds one bucket of the last delivery's people
 * (a few MB), never the whole roster.
 */
const PEOPLE_PER_BUCKET = 50_000;

export interface CompareCounts {
  added: number;
  changed: number;
  deactivated: number;
  unchanged: number;
}

export interface CompareInput {
  /** The last delivery's people, page by page (only those in its files count); absent on a first delivery. */
  baseline?: AsyncIterable<readonly PersonRecord[]>;
  current: AsyncIterable<readonly PersonRecord[]>;
  /** About how many people the larger side holds: decides how many buckets the comparison spills to. */
  expected: number;
  columns: readonly string[];
  baselineIndex: readonly (number | undefined)[];
  emit: (entry: ChangeEntry) => Promise<void>;
  /** Called every few thousand people, for the activity's heartbeat. */
  progress?: (compared: number) => void;
}

/**
 * Compares this run's people with the last delivery's by id, with memory bounded whatever the
 * roster's size: both sides are split by a hash of the id into buckets (files in a temporary
 * folder when there is more than one), and each bucket is compared on its own, its last-delivery
 * people in a map. A person repeated in the source counts once.
 */
export async function compareRosters(input: CompareInput): Promise<CompareCounts> {
  const buckets = bucketCount(input.expected);
  const tally = { compared: 0 };
  if (buckets === 1) return compareBucket(input, tally, input.baseline, input.current);
  const folder = await mkdtemp(join(tmpdir(), 'rosterflow-report-'));
  try {
    const baselineFiles = await spill(input.baseline, buckets, join(folder, 'baseline'));
    const currentFiles = await spill(input.current, buckets, join(folder, 'current'));
    const counts: CompareCounts = { added: 0, changed: 0, deactivated: 0, unchanged: 0 };
    for (let bucket = 0; bucket < buckets; bucket += 1) {
      const found = await compareBucket(
        input,
        tally,
        baselineFiles ? readBucket(baselineFiles[bucket]!) : undefined,
        readBucket(currentFiles![bucket]!),
      );
      for (const key of Object.keys(counts) as (keyof CompareCounts)[]) counts[key] += found[key];
    }
    return counts;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** A power of two, so a bucket is the hash's low bits. */
function bucketCount(expected: number): number {
  let buckets = 1;
  while (expected / buckets > PEOPLE_PER_BUCKET) buckets *= 2;
  return buckets;
}

async function compareBucket(
  input: CompareInput,
  progress: { compared: number },
  baseline: AsyncIterable<readonly PersonRecord[]> | undefined,
  current: AsyncIterable<readonly PersonRecord[]>,
): Promise<CompareCounts> {
  const counts: CompareCounts = { added: 0, changed: 0, deactivated: 0, unchanged: 0 };
  const previous = new Map<string, PersonRecord>();
  if (baseline) for await (const page of baseline) for (const person of page) take(previous, person);
  const seen = new Set<string>();
  const tally = async (result: ReturnType<typeof comparePerson>) => {
    progress.compared += 1;
    if (progress.compared % 10_000 === 0) input.progress?.(progress.compared);
    if (result === 'outside') return;
    if (result === 'unchanged') counts.unchanged += 1;
    else {
      counts[result.kind] += 1;
      await input.emit(result);
    }
  };
  for await (const page of current) {
    for (const person of page) {
      if (seen.has(person.id)) continue;
      seen.add(person.id);
      const before = previous.get(person.id);
      previous.delete(person.id);
      await tally(comparePerson(before, person, input.columns, input.baselineIndex));
    }
  }
  // Delivered last time and not pulled now: gone from the source.
  for (const before of previous.values())
    await tally(comparePerson(before, undefined, input.columns, input.baselineIndex));
  return counts;
}

/** Only people the last delivery put in its files are its baseline. */
function take(previous: Map<string, PersonRecord>, person: PersonRecord): void {
  if (person.state === 'delivered') previous.set(person.id, person);
}

/** Writes each person to its bucket's file, one JSON line each; returns the files' paths. */
async function spill(
  pages: AsyncIterable<readonly PersonRecord[]> | undefined,
  buckets: number,
  prefix: string,
): Promise<string[] | undefined> {
  if (!pages) return undefined;
  const paths = Array.from({ length: buckets }, (_, bucket) => `${prefix}-${bucket}.jsonl`);
  const files = paths.map((path) => createWriteStream(path));
  const mask = BigInt(buckets - 1);
  try {
    for await (const page of pages) {
      const lines: string[][] = files.map(() => []);
      for (const person of page) lines[Number(hash64(person.id) & mask)]!.push(JSON.stringify(person));
      for (const [bucket, text] of lines.entries())
        if (text.length > 0) await write(files[bucket]!, `${text.join('\n')}\n`);
    }
  } finally {
    await Promise.all(files.map((file) => new Promise((resolve) => file.end(resolve))));
  }
  return paths;
}

async function write(file: WriteStream, text: string): Promise<void> {
  if (!file.write(text)) await once(file, 'drain');
}

/** A bucket's file read back: our own lines, written moments ago by `spill`. */
async function* readBucket(path: string): AsyncIterable<readonly PersonRecord[]> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let page: PersonRecord[] = [];
  for await (const line of lines) {
    if (line.length === 0) continue;
    page.push(JSON.parse(line) as PersonRecord);
    if (page.length >= 1000) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}
