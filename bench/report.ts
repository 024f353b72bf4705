import { z } from 'zod';

/** The delivery targets the bench can run a sync into (test/fakes for the vendors). */
export const BENCH_TARGETS = ['csv-file', 'allstacks', 'staffbase', 'oneroster'] as const;
export type BenchTarget = (typeof BENCH_TARGETS)[number];
export const SCRIPT_TARGET = 'script';

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];

/** One measured case: a roster size into one target (or the hand-written script, `target: 'script'`). */
export interface BenchRow {
  employees: number;
  target: BenchTarget | typeof SCRIPT_TARGET;
  wallSeconds: number;
  employeesPerSecond: number;
  /** Wall time over the script's on the same export. */
  ratioToScript: number;
  /** The worker's peak RSS (for the script: its own). */
  workerPeakRssBytes: number;
  /** The store server's peak RSS; null for the script. */
  storePeakRssBytes: number | null;
  historyEvents: number | null;
  largestPayloadBytes: number | null;
  /** Rows in the delivered file (csv-file and the script), a check that both did the same work. */
  rowsWritten: number | null;
}

export interface BenchCase {
  employees: number;
  targets: BenchTarget[];
}

const SizesSchema = z
  .string()
  .transform((text) => text.split(',').map((part) => part.trim().replace(/_/g, '')))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[1-9]\d*$/)
          .transform(Number),
      )
      .min(1),
  );
const TargetsSchema = z
  .string()
  .transform((text) => text.split(',').map((part) => part.trim()))
  .pipe(z.array(z.enum(BENCH_TARGETS)).min(1));

/**
 * Which sizes run into which targets. By default csv-file at 10k, 100k and 1M, and the largest size
 * also into every vendor fake. BENCH_SIZES and BENCH_TARGETS (comma-separated) narrow it; with
 * BENCH_TARGETS every listed size runs into every listed target.
 */
export function benchPlan(env: NodeJS.ProcessEnv): BenchCase[] {
  const parse = <T>(name: string, schema: z.ZodType<T>, text: string): T => {
    const parsed = schema.safeParse(text);
    if (!parsed.success) {
      throw new Error(
        name === 'BENCH_TARGETS'
          ? `BENCH_TARGETS must list targets out of ${BENCH_TARGETS.join(', ')}, comma-separated (got "${text}")`
          : `BENCH_SIZES must list positive whole numbers of employees, comma-separated (got "${text}")`,
      );
    }
    return parsed.data;
  };
  const sizesText = env['BENCH_SIZES'];
  const targetsText = env['BENCH_TARGETS'];
  const sizes = sizesText ? parse('BENCH_SIZES', SizesSchema, sizesText) : DEFAULT_SIZES;
  if (targetsText) {
    const targets = parse('BENCH_TARGETS', TargetsSchema, targetsText);
    return sizes.map((employees) => ({ employees, targets }));
  }
  const largest = Math.max(...sizes);
  return sizes.map((employees) => ({
    employees,
    targets: employees === largest ? [...BENCH_TARGETS] : ['csv-file'],
  }));
}

const HEADERS = [
  'employees',
  'target',
  'wall',
  'employees/s',
  'x script',
  'worker peak RSS',
  'store peak RSS',
  'history events',
  'largest payload',
];

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const grouped = (value: number) => Math.round(value).toLocaleString('en-US');

function cells(row: BenchRow): string[] {
  return [
    grouped(row.employees),
    row.target,
    `${row.wallSeconds.toFixed(1)} s`,
    grouped(row.employeesPerSecond),
    `${row.ratioToScript.toFixed(1)}x`,
    megabytes(row.workerPeakRssBytes),
    row.storePeakRssBytes === null ? '-' : megabytes(row.storePeakRssBytes),
    row.historyEvents === null ? '-' : String(row.historyEvents),
    row.largestPayloadBytes === null ? '-' : `${grouped(row.largestPayloadBytes)} B`,
  ];
}

/** The rows as one aligned text table: text columns left, numbers right. */
export function formatTable(rows: readonly BenchRow[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  const leftAligned = new Set([1]);
  const line = (values: string[]) =>
    values
      .map((value, column) =>
        leftAligned.has(column) ? value.padEnd(widths[column]!) : value.padStart(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [line(HEADERS), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(cells).map(line)].join('\n');
}

/** A results file, `bench/results/<date>-<commit>.json`, to compare commits by. */
export interface BenchResults {
  commit: string;
  date: string;
  machine: { cpus: number; memoryBytes: number; node: string; store: string };
  rows: BenchRow[];
  /** The cases that did not finish, each with its error; this run's only. */
  failures: string[];
}

/** The results file's name for a run on `date` at `commit`. */
export function resultsFileName(date: Date, commit: string): string {
  return `${date.toISOString().slice(0, 10)}-${commit}.json`;
}

/**
 * Adds this run's rows to an earlier results file of the same commit and day. A size measured again
 * replaces every earlier row of that size (the script's and each target's), so a row's ratio is always
 * to the script of its own run; other sizes are kept, so separate runs (10k and 100k, 1M later) add up.
 */
export function mergeResults(earlier: BenchResults | undefined, now: BenchResults): BenchResults {
  const remeasured = new Set(now.rows.map((row) => row.employees));
  const kept = (earlier?.rows ?? []).filter((row) => !remeasured.has(row.employees));
  const rows = [...kept, ...now.rows].sort(
    (a, b) => a.employees - b.employees || targetOrder(a.target) - targetOrder(b.target),
  );
  return { ...now, rows };
}

function targetOrder(target: BenchRow['target']): number {
  return target === SCRIPT_TARGET ? -1 : BENCH_TARGETS.indexOf(target);
}
