import { noopMetricMeter } from '@temporalio/common';
import type { MetricMeter } from '@temporalio/common';
import type { RunRecord, StepName } from '../store/run-record';
import type { ActivityDeps } from './deps';

/**
 * rosterflow's own Prometheus series, recorded through the Temporal SDK's meter so the worker's one
 * metrics endpoint (worker/metrics.ts) serves them beside the SDK's `temporal_*` series. Labels are
 * sync ids, statuses, steps, outcomes and target types only: never anything about a person.
 */
export const SERIES = {
  runsFinished: 'rosterflow_runs_finished_total',
  runDuration: 'rosterflow_run_duration_seconds',
  lastSuccess: 'rosterflow_last_success_timestamp_seconds',
  stepDuration: 'rosterflow_step_duration_seconds',
  employees: 'rosterflow_employees_total',
  rateLimitWaits: 'rosterflow_rate_limit_waits_total',
  rateLimitWaitSeconds: 'rosterflow_rate_limit_wait_seconds_total',
  holdsStarted: 'rosterflow_holds_started_total',
  holdsDecided: 'rosterflow_holds_decided_total',
  holdsPending: 'rosterflow_holds_pending',
  holdOldestAge: 'rosterflow_hold_oldest_age_seconds',
} as const;

export const FINISHED_STATUSES = ['succeeded', 'partial', 'failed', 'dry_run'] as const;
/** What became of a run's employees; `delivered` and `vendor_refused` split the delivered rows. */
export const EMPLOYEE_OUTCOMES = ['pulled', 'rejected', 'delivered', 'vendor_refused', 'deactivated'] as const;
export const HOLD_OUTCOMES = ['approved', 'rejected', 'expired'] as const;
export type EmployeeOutcome = (typeof EMPLOYEE_OUTCOMES)[number];
export type HoldOutcome = (typeof HOLD_OUTCOMES)[number];

/**
 * The process's meter: the SDK Runtime's, set by the worker when it serves metrics; until then
 * nothing is recorded (tests, benchmarks, a worker without ROSTERFLOW_METRICS_ADDRESS). Not the
 * activity's meter: that adds the SDK's own labels, and series whose labels the worker cannot know
 * at start cannot be set to zero then, which a counter needs for `increase()` to see its first event.
 */
let meter: MetricMeter = noopMetricMeter;

export function recordMetricsWith(processMeter: MetricMeter): void {
  meter = processMeter;
}

/** A metric that cannot be recorded (the store away for its labels) is skipped. */
async function bestEffort(record: () => void | Promise<void>): Promise<void> {
  try {
    await record();
  } catch {
    // Nothing to do: a missing sample must never fail or slow the run it describes.
  }
}

const counter = (name: string, description: string) => meter.createCounter(name, '', description);
const seconds = (name: string, description: string) => meter.createHistogram(name, 'float', 'seconds', description);
const runsFinished = () => counter(SERIES.runsFinished, 'Runs finished, by sync and status');
const employees = () => counter(SERIES.employees, 'Employees of finished runs, by outcome');
const holdsStarted = () => counter(SERIES.holdsStarted, 'Runs held for an operator by a safety rule');
const holdsDecided = () => counter(SERIES.holdsDecided, 'Holds ended: approved, rejected, or expired unanswered');
const rateLimitWaits = () => counter(SERIES.rateLimitWaits, 'Rate limits waited out on a durable timer');
const rateLimitWaitSeconds = () => counter(SERIES.rateLimitWaitSeconds, 'Seconds spent waiting out rate limits');
const lastSuccess = () =>
  meter.createGauge(
    SERIES.lastSuccess,
    'int',
    'seconds',
    'When the last run that delivered (succeeded or partial) finished',
  );
/** The newest delivered run's finish per sync, so the store's (read at start) never replaces a newer one. */
const lastSuccessSeconds = new Map<string, number>();
function setLastSuccess(syncId: string, finishedAt: Date): void {
  const value = Math.floor(finishedAt.getTime() / 1000);
  if (value <= (lastSuccessSeconds.get(syncId) ?? 0)) return;
  lastSuccessSeconds.set(syncId, value);
  lastSuccess().set(value, { sync_id: syncId });
}

/** Delivered: succeeded or partial, not a dry run. What "a successful run" means to the alerts. */
export const isDeliveredRun = (run: Pick<RunRecord, 'status' | 'dryRun'>): boolean =>
  (run.status === 'succeeded' || run.status === 'partial') && !run.dryRun;

/**
 * What a finished run did with its employees, counted from its run record. Rows rejected by the
 * source and by the target's checks are `rejected`; of the rows delivered, those the vendor refused
 * are `vendor_refused` and the rest `delivered`; `deactivated` is the plan's count of people gone
 * since the last delivery. A failed or dry run delivered (and so deactivated) nobody.
 */
export function employeeOutcomes(
  run: Pick<RunRecord, 'status' | 'dryRun' | 'delivery' | 'counts' | 'plan'>,
): Record<EmployeeOutcome, number> {
  const { counts } = run;
  const delivered = isDeliveredRun(run) && run.delivery !== undefined;
  const refused = delivered ? (counts.vendorRefused ?? 0) : 0;
  return {
    pulled: counts.pulled ?? 0,
    rejected: (counts.rejected ?? 0) + (counts.renderRejected ?? 0),
    delivered: delivered ? Math.max(0, (counts.rendered ?? 0) - refused) : 0,
    vendor_refused: refused,
    deactivated: delivered ? (run.plan?.deactivations ?? 0) : 0,
  };
}

/**
 * A finished run's `status` label: its run record's status, but `dry_run` for a dry run that did not
 * fail, so "a successful run lately" never counts a run that delivered nothing.
 */
export function finishedStatusLabel(run: Pick<RunRecord, 'status' | 'dryRun'>): string {
  return run.dryRun && run.status !== 'failed' ? 'dry_run' : run.status;
}

/** A finished run: its status, its duration (the run record's start to finish) and its employees. */
export async function recordRunFinished(run: RunRecord): Promise<void> {
  await bestEffort(() => {
    const labels = { sync_id: run.syncId, status: finishedStatusLabel(run) };
    runsFinished().add(1, labels);
    if (run.durationMs !== undefined) {
      seconds(SERIES.runDuration, 'Run duration from start to finish, holds included').record(
        run.durationMs / 1000,
        labels,
      );
    }
    const counts = employeeOutcomes(run);
    for (const outcome of EMPLOYEE_OUTCOMES) employees().add(counts[outcome], { sync_id: run.syncId, outcome });
    if (isDeliveredRun(run) && run.finishedAt) setLastSuccess(run.syncId, run.finishedAt);
  });
}

/** One attempt of a pipeline step (activities/step.ts), succeeded or failed. */
export async function recordStepDuration(
  deps: ActivityDeps,
  runId: string,
  step: StepName,
  startedAt: Date,
  status: 'succeeded' | 'failed',
): Promise<void> {
  const duration = (Date.now() - startedAt.getTime()) / 1000;
  await bestEffort(async () => {
    const run = await deps.store.runs.get(runId);
    if (!run) return;
    seconds(SERIES.stepDuration, 'Duration of each attempt of a run step').record(duration, {
      sync_id: run.syncId,
      step,
      status,
    });
  });
}

/**
 * A rate limit waited out on a durable timer: counted here only, whichever target waits
 * (recordRunEvent for workflow-side waits, a target's step activity for its own).
 */
export async function recordRateLimitWait(labels: { syncId: string; target: string }, waitMs: number): Promise<void> {
  await bestEffort(() => {
    const tags = { sync_id: labels.syncId, target: labels.target };
    rateLimitWaits().add(1, tags);
    rateLimitWaitSeconds().add(Math.ceil(Math.max(0, waitMs) / 1000), tags);
  });
}

/** recordRateLimitWait for a run known by its id (its sync and target read from the run record). */
export async function recordRateLimitWaitOfRun(deps: ActivityDeps, runId: string, waitMs: number): Promise<void> {
  await bestEffort(async () => {
    const run = await deps.store.runs.get(runId);
    if (run) await recordRateLimitWait({ syncId: run.syncId, target: run.targetType ?? 'unknown' }, waitMs);
  });
}

export async function recordHoldStarted(syncId: string): Promise<void> {
  await bestEffort(() => holdsStarted().add(1, { sync_id: syncId }));
}

export async function recordHoldDecided(syncId: string, outcome: HoldOutcome): Promise<void> {
  await bestEffort(() => holdsDecided().add(1, { sync_id: syncId, outcome }));
}

/** What the worker knows of a sync when it starts, from its recorded runs. */
export interface KnownSync {
  syncId: string;
  /** The target type of its latest run. */
  target?: string;
  /** When its last delivered run finished. */
  lastSuccessAt?: Date;
}

/** A sync's KnownSync from its recent runs, newest first. */
export function knownSync(
  syncId: string,
  recent: readonly Pick<RunRecord, 'status' | 'dryRun' | 'targetType' | 'finishedAt'>[],
): KnownSync {
  const target = recent.find((run) => run.targetType !== undefined)?.targetType;
  const lastSuccessAt = recent.find((run) => isDeliveredRun(run) && run.finishedAt !== undefined)?.finishedAt;
  return { syncId, ...(target ? { target } : {}), ...(lastSuccessAt ? { lastSuccessAt } : {}) };
}

/**
 * At the worker's start: every counter of each known sync at zero (a counter that first appears at
 * 1 is one `increase()` never sees, so the first failure after a restart would go unnoticed), and
 * the last delivered run's time from the store (so a restart does not lose it).
 */
export function initializeSeries(syncs: readonly KnownSync[]): void {
  for (const sync of syncs) {
    const syncLabel = { sync_id: sync.syncId };
    for (const status of FINISHED_STATUSES) runsFinished().add(0, { ...syncLabel, status });
    for (const outcome of EMPLOYEE_OUTCOMES) employees().add(0, { ...syncLabel, outcome });
    holdsStarted().add(0, syncLabel);
    for (const outcome of HOLD_OUTCOMES) holdsDecided().add(0, { ...syncLabel, outcome });
    if (sync.target) {
      rateLimitWaits().add(0, { ...syncLabel, target: sync.target });
      rateLimitWaitSeconds().add(0, { ...syncLabel, target: sync.target });
    }
    if (sync.lastSuccessAt) setLastSuccess(sync.syncId, sync.lastSuccessAt);
  }
}

/** One sync's held runs, as the holds gauges report them. */
export interface HeldRunsOfSync {
  syncId: string;
  pending: number;
  /** Age of the oldest hold, whole seconds; 0 with nothing pending. */
  oldestAgeSeconds: number;
}

/**
 * The holds gauges' values from the runs now held: per sync, how many and the oldest hold's age,
 * plus zeros for syncs reported before that have none any more (a gauge keeps its last value).
 */
export function heldRunsBySync(
  held: readonly Pick<RunRecord, 'syncId' | 'startedAt' | 'hold'>[],
  now: Date,
  reportedBefore: Iterable<string> = [],
): HeldRunsOfSync[] {
  const bySync = new Map<string, HeldRunsOfSync>();
  for (const syncId of reportedBefore) bySync.set(syncId, { syncId, pending: 0, oldestAgeSeconds: 0 });
  for (const run of held) {
    const since = run.hold?.since ?? run.startedAt;
    const age = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000));
    const entry = bySync.get(run.syncId);
    if (entry && entry.pending > 0) {
      entry.pending += 1;
      entry.oldestAgeSeconds = Math.max(entry.oldestAgeSeconds, age);
    } else {
      bySync.set(run.syncId, { syncId: run.syncId, pending: 1, oldestAgeSeconds: age });
    }
  }
  return [...bySync.values()].sort((a, b) => a.syncId.localeCompare(b.syncId));
}

/** Sets the holds gauges (the worker's collector calls it). */
export function setHeldRunGauges(values: readonly HeldRunsOfSync[]): void {
  const pending = meter.createGauge(SERIES.holdsPending, 'int', 'runs', 'Runs held for a decision now');
  const age = meter.createGauge(SERIES.holdOldestAge, 'int', 'seconds', 'Age of the oldest hold still pending');
  for (const value of values) {
    pending.set(value.pending, { sync_id: value.syncId });
    age.set(value.oldestAgeSeconds, { sync_id: value.syncId });
  }
}
