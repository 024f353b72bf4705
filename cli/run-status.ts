import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import type { RunRecord, StepName } from '../store/run-record';
import { progressQuery } from '../workflows/progress';
import type { RunStatus, RunWait, SyncProgress } from '../workflows/progress';
import { uploadLockHolderQuery } from '../workflows/upload-lock';
import { stepOfActivity } from './run-progress';
import type { SyncOutcome } from './start-sync';

/** A query waits for a worker to answer it: a run nobody serves must not stall `run` or `status`. */
const QUERY_DEADLINE_MS = 3_000;

/**
 * The upload lock's answer (workflows/upload-lock.ts): the run holding it (or, in the window after
 * an upload, the run that held it last) and how many wait.
 */
export interface LockHolder {
  holderWorkflowId?: string;
  lastHolderWorkflowId?: string;
  queued: number;
}

/** Employees so far in the current step, from its last heartbeat: pulled by the build, done by a delivery. */
export interface EmployeesSoFar {
  done: number;
  verb: 'pulled' | 'done';
  /** Records read of the listing's total, when the source says how many it holds. */
  of?: { read: number; total: number };
}

/**
 * One run as `run` and `status` show it: the workflow's own `progress` query, with what only
 * Temporal knows (the step's attempt, its heartbeat) and, for a run whose worker predates the
 * query, the run record instead. Ids, counts, types and the target's state names only.
 */
export interface RunView {
  workflowId: string;
  runId: string;
  syncId?: string;
  sourceType?: string;
  targetType?: string;
  trigger?: string;
  dryRun?: boolean;
  status: RunStatus;
  /** Temporal's status of the execution: RUNNING, COMPLETED, FAILED, TERMINATED... */
  temporalStatus: string;
  /** Where the run's own view came from: its `progress` query, its run record, or neither. */
  from: 'progress' | 'record' | 'temporal';
  step?: string;
  /** The current step's attempt, and how many it may take. */
  attempt?: number;
  maxAttempts?: number;
  employees?: EmployeesSoFar;
  stepsDone: string[];
  counts: SyncProgress['counts'];
  wait?: RunWait & { holder?: LockHolder };
  /** The failure's type, once the run failed. */
  failure?: string;
}

/** A pending activity as the merge needs it: its step, attempts and first heartbeat detail, decoded. */
export interface PendingStep {
  activityType: string;
  attempt: number;
  maximumAttempts?: number;
  details?: unknown;
}

export interface RunViewSources {
  workflowId: string;
  runId: string;
  temporalStatus: string;
  progress?: SyncProgress;
  record?: RunRecord | null;
  pending?: readonly PendingStep[];
  holder?: LockHolder;
  now?: Date;
}

const STEPS = new Set(['resolve', 'build', 'extract', 'render', 'plan', 'deliver', 'finish']);

/** Puts the sources together: the query wins, the run record fills in for runs without it. Pure. */
export function mergeRunView(sources: RunViewSources): RunView {
  const { progress, record, temporalStatus } = sources;
  const running = temporalStatus === 'RUNNING';
  const ownView = progress ?? (record ? fromRecord(record, sources.now ?? new Date()) : undefined);
  let status: RunStatus =
    ownView?.status ?? (running ? 'running' : temporalStatus === 'COMPLETED' ? 'succeeded' : 'failed');
  let failure = ownView?.failure;
  // A run terminated or timed out never records its own end.
  if (!running && (status === 'running' || status === 'held')) {
    status = temporalStatus === 'COMPLETED' ? 'succeeded' : 'failed';
    failure ??= temporalWords(temporalStatus);
  }
  const pending = running ? (sources.pending ?? []) : [];
  const current = currentActivity(pending, ownView?.step);
  const step = running ? (ownView?.step ?? (current ? stepOf(current.activityType) : undefined)) : undefined;
  const employees = current ? employeesIn(current.details) : undefined;
  const wait =
    running && ownView?.wait ? { ...ownView.wait, ...(sources.holder ? { holder: sources.holder } : {}) } : undefined;
  const identity = progress ?? record;
  return {
    workflowId: sources.workflowId,
    runId: sources.runId,
    ...(identity?.syncId === undefined ? {} : { syncId: identity.syncId }),
    ...(identity?.sourceType === undefined ? {} : { sourceType: identity.sourceType }),
    ...(identity?.targetType === undefined ? {} : { targetType: identity.targetType }),
    ...(identity?.trigger === undefined ? {} : { trigger: identity.trigger }),
    ...(identity?.dryRun === undefined ? {} : { dryRun: identity.dryRun }),
    status,
    temporalStatus,
    from: progress ? 'progress' : record ? 'record' : 'temporal',
    ...(step === undefined ? {} : { step }),
    ...(current && step !== undefined ? { attempt: current.attempt } : {}),
    ...(current?.maximumAttempts && step !== undefined ? { maxAttempts: current.maximumAttempts } : {}),
    ...(employees ? { employees } : {}),
    stepsDone: ownView?.stepsDone ?? [],
    counts: ownView?.counts ?? {},
    ...(wait ? { wait } : {}),
    ...(failure === undefined ? {} : { failure }),
  };
}

type OwnView = Pick<SyncProgress, 'status' | 'step' | 'stepsDone' | 'counts' | 'wait' | 'failure'>;

/** What a run record says of where a run is, for runs whose worker does not answer `progress`. */
function fromRecord(record: RunRecord, now: Date): OwnView {
  const steps = Object.entries(record.steps) as [StepName, NonNullable<RunRecord['steps'][StepName]>][];
  const runningStep = steps.filter(([, step]) => step.status === 'running').at(-1)?.[0];
  const stepsDone: string[] = steps.filter(([, step]) => step.status === 'succeeded').map(([name]) => name);
  if (record.plan) stepsDone.push('plan');
  const { pulled, rejected, rendered, renderRejected } = record.counts;
  const counts = Object.fromEntries(
    Object.entries({ pulled, rejected, rendered, renderRejected, deactivations: record.plan?.deactivations }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  const wait = recordedWait(record, now);
  return {
    status: record.status,
    ...(runningStep === undefined ? {} : { step: runningStep }),
    stepsDone,
    counts,
    ...(wait ? { wait } : {}),
    ...(record.error ? { failure: record.error.type } : {}),
  } as OwnView;
}

/** The wait a run record shows: a pending hold, a timer still running, the target import's last state. */
function recordedWait(record: RunRecord, now: Date): RunWait | undefined {
  const hold = record.hold;
  if (record.status === 'held' && hold && !hold.decision && !hold.expired) {
    return {
      kind: 'hold',
      reasons: hold.reasons,
      since: hold.since.toISOString(),
      expiresAt: hold.expiresAt.toISOString(),
    };
  }
  const timer = (record.events ?? []).filter((event) => event.until && event.until > now).at(-1);
  if (timer?.until) {
    return {
      kind: 'rate-limit',
      reason: timer.detail,
      since: timer.at.toISOString(),
      until: timer.until.toISOString(),
    };
  }
  const state = record.delivery?.states?.at(-1);
  if (state && record.steps.deliver?.status === 'running') {
    return {
      kind: 'vendor-import',
      target: record.delivery!.target,
      state: state.state,
      since: state.at.toISOString(),
    };
  }
  return undefined;
}

function stepOf(activityType: string): string | undefined {
  const step = stepOfActivity(activityType).split(' ')[0] ?? '';
  return STEPS.has(step) ? step : undefined;
}

/** The pending activity of the current step, else the first one of any step. */
function currentActivity(pending: readonly PendingStep[], step: string | undefined): PendingStep | undefined {
  const ofSteps = pending.filter((activity) => stepOf(activity.activityType) !== undefined);
  return ofSteps.find((activity) => stepOf(activity.activityType) === step) ?? (step ? undefined : ofSteps[0]);
}

/** `pulled` (with `read` of `total`) or `done` from a step's heartbeat; nothing else of it is ever shown. */
function employeesIn(details: unknown): EmployeesSoFar | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const { pulled, done, read, total } = details as {
    pulled?: unknown;
    done?: unknown;
    read?: unknown;
    total?: unknown;
  };
  const count = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
  if (count(pulled))
    return { done: pulled, verb: 'pulled', ...(count(read) && count(total) ? { of: { read, total } } : {}) };
  if (typeof done === 'number' && Number.isFinite(done)) return { done, verb: 'done' };
  return undefined;
}

function temporalWords(temporalStatus: string): string {
  const words = temporalStatus.toLowerCase().replace(/_/g, ' ');
  return `the workflow was ${words}`;
}

/** A finished run's view with its outcome: Temporal's result (or failure) is the last word. Pure. */
export function withOutcome(view: RunView, outcome: SyncOutcome): RunView {
  if (!outcome.ok) return { ...view, status: 'failed', failure: outcome.failure.type };
  const { status, syncId, dryRun, pulled, rejected, rendered, renderRejected } = outcome.result;
  return { ...view, status, syncId, dryRun, counts: { ...view.counts, pulled, rejected, rendered, renderRejected } };
}

/** What to read besides the query: the record (when the store is there) and a describe already made. */
export interface ReadRunViewOptions {
  record?: RunRecord | null;
  description?: WorkflowExecutionDescription;
  /** False to skip the queries (no worker would answer them): the record and describe() only. */
  queries?: boolean;
}

/**
 * Reads a run's view: describe(), then (while it runs) its `progress` query and, when it waits at
 * an upload lock, the lock's `holder` query. A query nobody answers (an older worker, no worker)
 * leaves the record and describe() to say what they can, without an error.
 */
export async function readRunView(
  client: Client,
  handle: WorkflowHandle,
  options: ReadRunViewOptions = {},
): Promise<RunView> {
  const description = options.description ?? (await handle.describe());
  const temporalStatus = description.status.name;
  const running = temporalStatus === 'RUNNING';
  const progress =
    running && options.queries !== false ? await askWithin(client, () => handle.query(progressQuery)) : undefined;
  const lockWorkflowId = progress?.wait?.kind === 'upload-lock' ? progress.wait.lockWorkflowId : undefined;
  const holder = lockWorkflowId
    ? await askWithin(client, () => client.workflow.getHandle(lockWorkflowId).query(uploadLockHolderQuery))
    : undefined;
  const pending = running ? await decodePending(client, description.raw.pendingActivities ?? []) : [];
  return mergeRunView({
    workflowId: description.workflowId,
    runId: description.runId,
    temporalStatus,
    ...(progress ? { progress } : {}),
    ...(options.record ? { record: options.record } : {}),
    pending,
    ...(holder ? { holder } : {}),
  });
}

function askWithin<T>(client: Client, ask: () => Promise<T>): Promise<T | undefined> {
  return client.withDeadline(Date.now() + QUERY_DEADLINE_MS, ask).catch(() => undefined);
}

/** The pending activities with their first heartbeat detail decoded by the client's data converter (its codec too). */
async function decodePending(
  client: Client,
  pending: readonly temporal.api.workflow.v1.IPendingActivityInfo[],
): Promise<PendingStep[]> {
  return Promise.all(
    pending.map(async (activity) => {
      const [details] = await decodeArrayFromPayloads(
        client.options.loadedDataConverter,
        activity.heartbeatDetails?.payloads,
      ).catch(() => [undefined]);
      return {
        activityType: activity.activityType?.name ?? 'activity',
        attempt: activity.attempt ?? 1,
        ...(activity.maximumAttempts ? { maximumAttempts: activity.maximumAttempts } : {}),
        ...(details === undefined ? {} : { details }),
      };
    }),
  );
}

/** "1,200 employees pulled", "340 done". */
export function employeesText(employees: EmployeesSoFar): string {
  const count = employees.done.toLocaleString('en-US');
  if (employees.verb === 'done') return `${count} done`;
  const of = employees.of;
  const read = of ? ` (${of.read.toLocaleString('en-US')} of ${of.total.toLocaleString('en-US')} records read)` : '';
  return `${count} employees pulled${read}`;
}

/** The current wait in an operator's words; times in UTC. */
export function waitInWords(wait: NonNullable<RunView['wait']>, now: Date = new Date()): string {
  switch (wait.kind) {
    case 'hold': {
      const reasons = wait.reasons.length === 1 ? '1 safety rule' : `${wait.reasons.length} safety rules`;
      return `held for an operator's decision (${reasons} tripped), expires ${utc(wait.expiresAt, now)}`;
    }
    case 'rate-limit':
      return `${wait.reason}: waiting on a durable timer until ${utc(wait.until, now)}`;
    case 'upload-lock': {
      const { holderWorkflowId, lastHolderWorkflowId, queued = 0 } = wait.holder ?? {};
      const inQueue = queued > 0 ? ` (${queued} in its queue)` : '';
      if (holderWorkflowId) return `waiting for the upload lock behind ${holderWorkflowId}${inQueue}`;
      if (lastHolderWorkflowId)
        return `waiting for the upload lock: the target's window after ${lastHolderWorkflowId}'s upload${inQueue}`;
      return `waiting for its turn at the upload lock ${wait.lockWorkflowId}${inQueue}`;
    }
    case 'vendor-import': {
      const next = wait.nextCheckAt ? `, next check ${utc(wait.nextCheckAt, now)}` : '';
      return `${wait.target} import is ${wait.state}${next}`;
    }
  }
}

/** "18:00:08 UTC" today, "2026-12-07 18:00 UTC" on another day. */
function utc(iso: string, now: Date): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const text = at.toISOString();
  return text.slice(0, 10) === now.toISOString().slice(0, 10)
    ? `${text.slice(11, 19)} UTC`
    : `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}
