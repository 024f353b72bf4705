import type { temporal } from '@temporalio/proto';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { deliveryRef } from '../core/safety-rules';
import type { RunRecord, StepName, StepRecord } from '../store/run-record';
import { waitInWords } from './run-status';
import type { RunView } from './run-status';

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;

/**
 * Turns what Temporal and the run store say about a run into one line per change, for
 * `rosterflow run`. Pure: the watcher (cli/watch-run.ts) polls, this remembers what it has printed.
 * Lines carry ids, counts, types and the failure messages our errors already keep free of personal data.
 */
export class RunProgress {
  /** Per step, the last state printed: `<attempt>:<status>`. */
  private readonly steps = new Map<StepName, string>();
  private eventsPrinted = 0;
  private statesPrinted = 0;
  private planPrinted = false;
  /** `<activityId>:<attempt>` of every failed attempt already printed. */
  private readonly failures = new Set<string>();
  /** Every wait from the `progress` query already printed, and the one seen last round. */
  private readonly waits = new Set<string>();
  private waitSeen: string | undefined;

  /**
   * Step starts and ends, events (waits, resumes, hold answers), target states and the plan, new
   * since the last call, in the order they happened.
   */
  fromRecord(record: RunRecord): string[] {
    const timed: { at: number; line: string }[] = [];
    for (const [name, step] of Object.entries(record.steps) as [StepName, StepRecord][]) {
      timed.push(...this.stepLines(name, step, record));
    }
    const events = record.events ?? [];
    for (const event of events.slice(this.eventsPrinted)) {
      // A hold is printed in full from the run's `hold` query (cli/format.ts formatHeld).
      if (event.kind === 'held') continue;
      const what = event.kind.startsWith('hold-') ? `${event.kind.replace('-', ' ')} ` : '';
      const until = event.until ? ` (until ${clock(event.until)})` : '';
      timed.push({ at: event.at.getTime(), line: `  ${event.step}: ${what}${event.detail}${until}` });
    }
    this.eventsPrinted = events.length;
    const states = record.delivery?.states ?? [];
    for (const { state, at } of states.slice(this.statesPrinted)) {
      const remote = record.delivery?.remoteId ? ` ${record.delivery.remoteId}` : '';
      timed.push({
        at: at.getTime(),
        line: `  deliver: ${record.delivery?.target ?? 'target'} import${remote} is ${state}`,
      });
    }
    this.statesPrinted = states.length;
    if (record.plan && !this.planPrinted) {
      this.planPrinted = true;
      // The plan has no time of its own: it runs right after the build (the render, in older runs).
      const built = record.steps.build ?? record.steps.render;
      const at = built?.finishedAt?.getTime() ?? Date.now();
      timed.push({ at: at + 1, line: `  plan: ${describePlan(record.plan)}` });
    }
    // Stable: lines of the same instant keep the order they were found in.
    return timed.sort((a, b) => a.at - b.at).map(({ line }) => line);
  }

  /** Failed attempts of the run's pending activities, each once, with when the next one starts. */
  fromPendingActivities(pending: readonly PendingActivity[]): string[] {
    const lines: string[] = [];
    for (const activity of pending) {
      const failed = (activity.attempt ?? 1) - 1;
      if (failed < 1 || !activity.lastFailure) continue;
      const key = `${activity.activityId}:${failed}`;
      if (this.failures.has(key)) continue;
      this.failures.add(key);
      const of = activity.maximumAttempts ? ` of ${activity.maximumAttempts}` : '';
      const name = stepOfActivity(activity.activityType?.name ?? 'activity');
      lines.push(
        `  ${name} attempt ${failed}${of} failed: ${failureText(activity.lastFailure)}; ${retryText(activity)}`,
      );
    }
    return lines;
  }

  /**
   * The run's current wait from its `progress` query, once, when the run record does not print it
   * already: a timer or vendor state the record lacks (an older record, an unreachable store) and
   * whom an upload lock waits behind. A hold is printed in full from the `hold` query instead. A
   * wait is printed once it is seen in two rounds, so the record (read first) has had its chance.
   */
  fromWait(view: RunView, record?: RunRecord | null, now: Date = new Date()): string[] {
    const wait = view.wait;
    if (!wait || wait.kind === 'hold') {
      this.waitSeen = undefined;
      return [];
    }
    const behind =
      wait.kind === 'upload-lock' ? (wait.holder?.holderWorkflowId ?? wait.holder?.lastHolderWorkflowId) : undefined;
    const key = JSON.stringify([wait.kind, wait.since, wait.kind === 'vendor-import' ? wait.state : behind]);
    const confirmed = this.waitSeen === key;
    this.waitSeen = key;
    if (!confirmed || this.waits.has(key)) return [];
    this.waits.add(key);
    // The record says that the run waits for the lock; only the lock itself knows behind whom.
    const news = wait.kind === 'upload-lock' ? behind !== undefined || !record : !recordShows(wait, record);
    if (!news) return [];
    return [`  ${view.step ?? 'deliver'}: ${waitInWords(wait, now)}`];
  }

  private stepLines(name: StepName, step: StepRecord, record: RunRecord): { at: number; line: string }[] {
    const printed = this.steps.get(name);
    const now = `${step.attempt}:${step.status}`;
    if (printed === now) return [];
    this.steps.set(name, now);
    const lines: { at: number; line: string }[] = [];
    const attempt = step.attempt > 1 ? ` attempt ${step.attempt}` : '';
    if (printed !== `${step.attempt}:running`) {
      lines.push({ at: step.startedAt.getTime(), line: `  ${name}${attempt} started` });
    }
    if (step.status === 'succeeded') {
      const took = step.durationMs === undefined ? '' : ` in ${seconds(step.durationMs)}`;
      const at = step.finishedAt?.getTime() ?? Date.now();
      lines.push({ at, line: `  ${name} finished${took}${stepCounts(name, record)}` });
    }
    // A failed attempt is printed from Temporal's view (with its retry) or as the run's outcome.
    return lines;
  }
}

/** Whether the run record already prints this timer (its event) or vendor state. */
function recordShows(wait: NonNullable<RunView['wait']>, record: RunRecord | null | undefined): boolean {
  if (!record) return false;
  const events = record.events ?? [];
  switch (wait.kind) {
    case 'rate-limit': {
      const until = Date.parse(wait.until);
      return events.some((event) => event.until && Math.abs(event.until.getTime() - until) < 2_000);
    }
    case 'vendor-import':
      return (record.delivery?.states ?? []).some((state) => state.state === wait.state);
    default:
      return true;
  }
}

/** What `rosterflow run` says when nobody serves the run's task queue: the run waits, silently, until someone does. */
export function noWorkerHint(taskQueue: string, waitedMs: number): string {
  return [
    `  no worker has polled task queue "${taskQueue}" in ${Math.round(waitedMs / 1000)} s: the run waits until one does.`,
    `  Start one in another terminal: \`npm run worker\` (with the same TEMPORAL_ADDRESS, MONGODB_URI, ROSTERFLOW_CONFIG and ROSTERFLOW_TASK_QUEUE=${taskQueue}),`,
    '  or `./bin/rosterflow dev` for the local stack. Still waiting (Ctrl-C stops waiting; the run stays queued).',
  ].join('\n');
}

export function workerFoundLine(taskQueue: string): string {
  return `  a worker is polling task queue "${taskQueue}" now`;
}

const STEP_OF_ACTIVITY: Readonly<Record<string, string>> = {
  resolveSync: 'resolve',
  buildArtifacts: 'build',
  extractEmployees: 'extract',
  renderArtifacts: 'render',
  planRun: 'plan',
  planDelivery: 'plan',
  deliverCsvFile: 'deliver',
  uploadToAllstacks: 'deliver',
  uploadOneRosterSftp: 'deliver',
  deliverScim: 'deliver',
  requestUploadLock: 'deliver',
  // Their names before the target-named activities, for runs started before (drop with the aliases).
  deliverFile: 'deliver',
  uploadOneRoster: 'deliver',
  ensureStaffbaseImport: 'deliver',
};

/** The pipeline step an activity belongs to, as the run record names it; other activities by their own name. */
export function stepOfActivity(activityType: string): string {
  return (
    STEP_OF_ACTIVITY[activityType] ?? (/Staffbase/.test(activityType) ? `deliver (${activityType})` : activityType)
  );
}

function failureText(failure: temporal.api.failure.v1.IFailure): string {
  const type =
    failure.applicationFailureInfo?.type ??
    (failure.timeoutFailureInfo ? 'Timeout' : failure.canceledFailureInfo ? 'Cancelled' : 'Failure');
  const message = (failure.message ?? '').split('\n')[0] ?? '';
  return message ? `${type}: ${message}` : type;
}

function retryText(activity: PendingActivity): string {
  const next = optionalTsToMs(activity.nextAttemptScheduleTime);
  const last = optionalTsToMs(activity.lastAttemptCompleteTime);
  // The backoff Temporal chose (both times are the server's, so no clock skew), rounded up.
  if (next !== undefined && last !== undefined && next > last)
    return `retrying in ${Math.ceil((next - last) / 1000)} s`;
  return 'retrying now';
}

function stepCounts(name: StepName, record: RunRecord): string {
  const { pulled, rejected, rendered, filteredOut, renderRejected } = record.counts;
  const pulledText = `${pulled} employees pulled, ${rejected ?? 0} rows rejected`;
  const renderedText = `${rendered} rendered, ${filteredOut ?? 0} left out by the target's status filter, ${renderRejected ?? 0} rejected by its checks`;
  if (name === 'build' && pulled !== undefined && rendered !== undefined) return `: ${pulledText}; ${renderedText}`;
  if (name === 'extract' && pulled !== undefined) return `: ${pulledText}`;
  if (name === 'render' && rendered !== undefined) return `: ${renderedText}`;
  return '';
}

function describePlan(plan: NonNullable<RunRecord['plan']>): string {
  const against =
    plan.previousPulled === undefined
      ? 'first delivery, nothing to compare against'
      : `${plan.deactivations} of the ${plan.previousActive ?? 0} employed at the last delivery${deliveryRef(plan)} would be deactivated`;
  const verdict =
    plan.tripped.length === 0 ? 'no safety rule tripped' : `${plan.tripped.length} safety rule(s) tripped`;
  return `${plan.pulled} employees, ${plan.active} employed; ${against}; ${verdict}`;
}

function seconds(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.ceil(ms / 1000)} s`;
}

function clock(at: Date): string {
  return `${at.toISOString().slice(11, 19)} UTC`;
}
