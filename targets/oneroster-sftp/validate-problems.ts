import type { PackageProblem } from './validate-csv';

/**
 * Where a problem goes in the report, as numbers compared in turn. The check reads each file row by
 * row but reports phase by phase (every file's syntax, header and cells, then the checks across
 * files), the order it reported in when it held whole files and the tests expect; the log sorts by this.
 */
export type ProblemPlace = readonly number[];

/** A repeat whose message names the line of the first occurrence, looked up only if the problem is kept. */
export interface FirstLine {
  file: string;
  /** Which key of that file's rows (see validate-package.ts). */
  key: string;
  hash: bigint;
  message: (line: number) => string;
}

interface Entry {
  /** The place, then the arrival number, so equal places keep the order they were found in. */
  order: number[];
  problem: PackageProblem;
  firstLine?: FirstLine;
}

/**
 * The problems found, in report order: the first `keep` of them kept, the others only counted, so a
 * package with a bad value on every row costs a count, not a problem object per row. Staged logs hold
 * what one file's rows report until the file turns out readable (an unreadable file reports only that).
 */
export class ProblemLog {
  private entries: Entry[] = [];
  private dropped = 0;

  constructor(
    private readonly keep = Infinity,
    private readonly arrivals = { next: 0 },
  ) {}

  /** Every problem found, kept or not. */
  get count(): number {
    return this.entries.length + this.dropped;
  }

  add(place: ProblemPlace, problem: PackageProblem): void {
    this.push({ order: [...place, this.arrivals.next++], problem });
  }

  /** A repeat of an earlier row: its message is written once the first occurrence's line is known. */
  addRepeat(place: ProblemPlace, where: Omit<PackageProblem, 'message'>, firstLine: FirstLine): void {
    this.push({ order: [...place, this.arrivals.next++], problem: { ...where, message: '' }, firstLine });
  }

  /** A log for one file's rows, to `absorb` once the file has been read, or to drop. */
  staged(): ProblemLog {
    return new ProblemLog(this.keep, this.arrivals);
  }

  absorb(staged: ProblemLog): void {
    for (const entry of staged.entries) this.push(entry);
    this.dropped += staged.dropped;
  }

  /** The kept repeats still waiting for the line of their first occurrence. */
  waitingForFirstLines(): FirstLine[] {
    this.trim();
    return this.entries.flatMap((entry) => (entry.firstLine ? [entry.firstLine] : []));
  }

  /** Writes the waiting repeats' messages with the lines found for them. */
  resolveFirstLines(lineOf: (wanted: FirstLine) => number): void {
    for (const entry of this.entries) {
      if (!entry.firstLine) continue;
      entry.problem.message = entry.firstLine.message(lineOf(entry.firstLine));
      delete entry.firstLine;
    }
  }

  /** The kept problems, in report order. */
  problems(): PackageProblem[] {
    this.trim();
    return this.entries.map((entry) => entry.problem);
  }

  private push(entry: Entry): void {
    this.entries.push(entry);
    // Trimmed in batches: sorting on every add would cost more than the few entries it saves.
    if (this.entries.length >= Math.max(2 * this.keep, 1024)) this.trim();
  }

  private trim(): void {
    this.entries.sort((a, b) => compareOrders(a.order, b.order));
    if (this.entries.length <= this.keep) return;
    this.dropped += this.entries.length - this.keep;
    this.entries.length = this.keep;
  }
}

function compareOrders(a: readonly number[], b: readonly number[]): number {
  for (let at = 0; at < Math.min(a.length, b.length); at += 1) if (a[at] !== b[at]) return a[at]! - b[at]!;
  return a.length - b.length;
}
