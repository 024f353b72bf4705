import { z } from 'zod';
import { DEFAULT_ACTIVITY_SLOTS } from '../worker/activity-slots';

/** The delivery targets the bench can run a sync into (test/fakes for the vendors). */
export const BENCH_TARGETS = ['csv-file', 'allstacks', 'staffbase', 'oneroster-sftp'] as const;
export type BenchTarget = (typeof BENCH_TARGETS)[number];
export const SCRIPT_TARGET = 'script';
/** The SCIM case's target: not in BENCH_TARGETS, since it runs its own two cases at its own size. */
export const SCIM_TARGET = 'scim';

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];

/**
 * How a case runs: `single`, one sync on a fresh stack and worker; `killed`, the same with the worker
 * SIGKILLed mid-build and a fresh one started; `concurrent`, several syncs started at once on one worker;
 * `provisioned`, a SCIM sync into an empty app, and `rerun`, the same sync again on the same export
 * (nothing to change), on the same stack and worker; `changed`, a csv-file sync run again after about
 * 1% of its people changed, its change report compared against the first run's delivery.
 */
export type BenchCaseKind = 'single' | 'killed' | 'changed' | 'concurrent' | 'provisioned' | 'rerun';

/** What the kill case measured (seconds from the CLI's start; rows of the export). */
export interface KillMeasure {
  killedAtSeconds: number;
  /** From the kill until Temporal timed the attempt out and scheduled the next (null: never seen). */
  heartbeatTimeoutSeconds: number | null;
  /** From the kill until the second attempt claimed the checkpoint (adds the retry interval and start-up). */
  resumedAfterSeconds: number | null;
  /** Rows (pulled + rejected) in the build checkpoint when the worker died. */
  checkpointRowsAtKill: number;
  /** Rows in the checkpoint the second attempt continued from. */
  resumedFromRows: number;
  /** Rows the killed worker had read from the export (its file offset at the kill; null if unreadable). */
  rowsReadAtKill: number | null;
  /** Rows read again: read by the killed attempt beyond the checkpoint the next one resumed from. */
  reworkRows: number | null;
  /** `pulled` of the last heartbeat Temporal kept for the killed attempt (heartbeats are throttled). */
  heartbeatPulled: number | null;
  /** The source's page size: the build checkpoints after every page. */
  checkpointIntervalRows: number;
  /** sha256 of the delivered file; `identical` compares it with the uninterrupted run's (null: none ran). */
  sha256: string;
  identical: boolean | null;
}

/** What the concurrency case measured. */
export interface ConcurrentMeasure {
  syncs: number;
  succeeded: number;
  /** The worker's ROSTERFLOW_MAX_CONCURRENT_ACTIVITIES. */
  activitySlots: number;
  failures: string[];
}

/** What a SCIM case measured at the app. */
export interface ScimMeasure {
  /** Requests that may change something (not GET, not a search) that reached the app. */
  writes: number;
  /** Users the app holds afterwards, and how many it should: the export's active employees. */
  usersInApp: number;
  expectedUsers: number;
}

/** What the change-report case measured: the report's counts, and those the changed export must give. */
export interface ChangesMeasure {
  added: number;
  changed: number;
  deactivated: number;
  unchanged: number;
  /** Comparing against the baseline and writing the report (the run record's `changes.durationMs`). */
  reportSeconds: number;
  expected: { added: number; changed: number; deactivated: number };
}

/** One measured case: a roster size into one target (or the hand-written script, `target: 'script'`). */
export interface BenchRow {
  employees: number;
  target: BenchTarget | typeof SCRIPT_TARGET | typeof SCIM_TARGET;
  /** Absent in results files written before the kill and concurrency cases: `single`. */
  case?: BenchCaseKind;
  wallSeconds: number;
  /** For `concurrent`: every sync's employees over the wall time of all. */
  employeesPerSecond: number;
  /**
   * Wall time over the script's on the same export (for the SCIM cases bench/scim-script.mjs's, doing
   * the same); null when no script ran the same work.
   */
  ratioToScript: number | null;
  /** The worker's peak RSS (for the script: its own). */
  workerPeakRssBytes: number;
  /** The store server's peak RSS; null for the script. */
  storePeakRssBytes: number | null;
  historyEvents: number | null;
  largestPayloadBytes: number | null;
  /** Rows in the delivered file (csv-file and the script), a check that both did the same work. */
  rowsWritten: number | null;
  kill?: KillMeasure;
  concurrent?: ConcurrentMeasure;
  scim?: ScimMeasure;
  changes?: ChangesMeasure;
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

/** The kill and concurrency cases a bench runs besides the plan's single runs. */
export interface BenchExtras {
  /** The size killed mid-build (the plan's largest, into csv-file); undefined when off. */
  kill: { employees: number } | undefined;
  /** The size run again after 1% changed, for its change report (csv-file, the plan's largest); undefined when off. */
  changes: { employees: number } | undefined;
  /** Syncs started at once, each of `employees`, once per worker activity limit in `slots`; undefined when off. */
  concurrent: { syncs: number; employees: number; slots: number[] } | undefined;
  /** The SCIM case's export size; undefined when off. */
  scim: { employees: number } | undefined;
}

/** The Temporal SDK's own limit of activities at once: what a worker without our setting would run. */
export const SDK_ACTIVITY_SLOTS = 100;

const SlotsSchema = z
  .string()
  .transform((text) => text.split(',').map((part) => part.trim()))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[1-9]\d*$/)
          .transform(Number)
          .pipe(z.number().max(1000)),
      )
      .min(1),
  );

const CountSchema = z
  .string()
  .trim()
  .transform((text) => text.replace(/_/g, ''))
  .pipe(z.string().regex(/^\d+$/).transform(Number));

/**
 * BENCH_CHANGES=0 turns the change-report case off (on by default like the kill case, at the same size);
 * BENCH_KILL=0 turns the kill case off (on by default when the plan runs csv-file at its largest
 * size); BENCH_CONCURRENT (default 10, 0 off) syncs of BENCH_CONCURRENT_SIZE employees (default
 * 100,000) each, into csv-file, at once, on a worker with each activity limit BENCH_CONCURRENT_SLOTS
 * lists (default: the SDK's 100, i.e. no limit of ours, then our default); BENCH_SCIM (default 10,000,
 * 0 off) employees provisioned into an empty SCIM app, then the same export again.
 */
export function benchExtras(env: NodeJS.ProcessEnv, plan: readonly BenchCase[]): BenchExtras {
  const count = (name: string, fallback: number, min: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const parsed = CountSchema.safeParse(text);
    if (!parsed.success || (parsed.data !== 0 && parsed.data < min)) {
      throw new Error(`${name} must be a whole number, 0 to turn it off (got "${text}")`);
    }
    return parsed.data;
  };
  const killOn = count('BENCH_KILL', 1, 1) !== 0;
  const changesOn = count('BENCH_CHANGES', 1, 1) !== 0;
  const syncs = count('BENCH_CONCURRENT', 10, 1);
  const employees = count('BENCH_CONCURRENT_SIZE', 100_000, 1);
  const scimEmployees = count('BENCH_SCIM', 10_000, 1);
  const slotsText = env['BENCH_CONCURRENT_SLOTS'];
  const slots = slotsText ? SlotsSchema.safeParse(slotsText) : undefined;
  if (slots && !slots.success) {
    throw new Error(
      `BENCH_CONCURRENT_SLOTS must list activity limits from 1 to 1000, comma-separated (got "${slotsText}")`,
    );
  }
  const largest = plan.reduce<BenchCase | undefined>(
    (best, entry) => (best === undefined || entry.employees > best.employees ? entry : best),
    undefined,
  );
  return {
    kill: killOn && largest?.targets.includes('csv-file') ? { employees: largest.employees } : undefined,
    changes: changesOn && largest?.targets.includes('csv-file') ? { employees: largest.employees } : undefined,
    concurrent:
      syncs > 0 && employees > 0
        ? { syncs, employees, slots: slots?.data ?? [SDK_ACTIVITY_SLOTS, DEFAULT_ACTIVITY_SLOTS] }
        : undefined,
    scim: scimEmployees > 0 ? { employees: scimEmployees } : undefined,
  };
}

const HEADERS = [
  'employees',
  'target',
  'case',
  'wall',
  'employees/s',
  'x script',
  'worker peak RSS',
  'store peak RSS',
  'history events',
  'largest payload',
  'notes',
];

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const grouped = (value: number) => Math.round(value).toLocaleString('en-US');

function caseCell(row: BenchRow): string {
  if (row.concurrent) return `${row.concurrent.syncs} at once, ${row.concurrent.activitySlots} slots`;
  if (row.kill) return `killed at ${Math.round((100 * row.kill.checkpointRowsAtKill) / row.employees)}%`;
  if (row.case === 'provisioned') return 'provisioned from empty';
  if (row.case === 'rerun') return 'no-change re-run';
  if (row.case === 'changed') return 'run after 1% changed';
  return 'one run';
}

function notesCell(row: BenchRow): string {
  const { kill, concurrent, scim, changes } = row;
  if (changes) {
    const { expected } = changes;
    const right =
      changes.added === expected.added &&
      changes.changed === expected.changed &&
      changes.deactivated === expected.deactivated;
    return (
      `report ${grouped(changes.added)} added, ${grouped(changes.changed)} changed, ${grouped(changes.deactivated)} deactivated, ` +
      `${grouped(changes.unchanged)} unchanged in ${changes.reportSeconds.toFixed(1)} s` +
      (right ? ' (as made)' : `; EXPECTED ${expected.added}/${expected.changed}/${expected.deactivated}`)
    );
  }
  if (scim) {
    const held =
      scim.usersInApp === scim.expectedUsers
        ? `${grouped(scim.usersInApp)} users in the app`
        : `APP HOLDS ${grouped(scim.usersInApp)} USERS, expected ${grouped(scim.expectedUsers)}`;
    return `${grouped(scim.writes)} writes, ${held}`;
  }
  if (concurrent) {
    return (
      `${concurrent.succeeded}/${concurrent.syncs} succeeded` + (concurrent.failures.length ? ': see failures' : '')
    );
  }
  if (!kill) return '';
  const same =
    kill.identical === null ? 'no uninterrupted run to compare' : kill.identical ? 'identical bytes' : 'BYTES DIFFER';
  const rework = kill.reworkRows === null ? 'rework unknown' : `re-read ${grouped(kill.reworkRows)} rows`;
  const wait = (seconds: number | null) => (seconds === null ? '?' : `${seconds.toFixed(1)} s`);
  return (
    `${same}; ${rework} (checkpoint every ${grouped(kill.checkpointIntervalRows)}); ` +
    `heartbeat timeout after ${wait(kill.heartbeatTimeoutSeconds)}, resumed after ${wait(kill.resumedAfterSeconds)}`
  );
}

function cells(row: BenchRow): string[] {
  return [
    grouped(row.employees),
    row.target,
    caseCell(row),
    `${row.wallSeconds.toFixed(1)} s`,
    grouped(row.employeesPerSecond),
    row.ratioToScript === null ? '-' : `${row.ratioToScript.toFixed(1)}x`,
    megabytes(row.workerPeakRssBytes),
    row.storePeakRssBytes === null ? '-' : megabytes(row.storePeakRssBytes),
    row.historyEvents === null ? '-' : String(row.historyEvents),
    row.largestPayloadBytes === null ? '-' : `${grouped(row.largestPayloadBytes)} B`,
    notesCell(row),
  ];
}

/** The rows as one aligned text table: text columns left, numbers right. */
export function formatTable(rows: readonly BenchRow[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  const leftAligned = new Set([1, 2, HEADERS.length - 1]);
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
 * Concurrency rows, and the SCIM rows (with their own script's), go by their own size: a run that
 * measured them replaces the earlier ones only.
 */
export function mergeResults(earlier: BenchResults | undefined, now: BenchResults): BenchResults {
  const key = (row: BenchRow) => `${caseGroup(row)}:${row.employees}`;
  const remeasured = new Set(now.rows.map(key));
  const kept = (earlier?.rows ?? []).filter((row) => !remeasured.has(key(row)));
  const rows = [...kept, ...now.rows].sort(
    (a, b) =>
      a.employees - b.employees ||
      caseOrder(a) - caseOrder(b) ||
      targetOrder(a.target) - targetOrder(b.target) ||
      (a.concurrent?.activitySlots ?? 0) - (b.concurrent?.activitySlots ?? 0),
  );
  return { ...now, rows };
}

function caseGroup(row: BenchRow): string {
  if (row.case === 'concurrent') return 'concurrent';
  return row.case === 'provisioned' || row.case === 'rerun' ? 'scim' : 'size';
}

function caseOrder(row: BenchRow): number {
  return ['single', 'killed', 'changed', 'concurrent', 'provisioned', 'rerun'].indexOf(row.case ?? 'single');
}

function targetOrder(target: BenchRow['target']): number {
  if (target === SCRIPT_TARGET) return -1;
  return target === SCIM_TARGET ? BENCH_TARGETS.length : BENCH_TARGETS.indexOf(target);
}
