import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { RunStore } from '../store/runs';
import { RunProgress, noWorkerHint, workerFoundLine } from './run-progress';
import { readRunView } from './run-status';
import type { RunView } from './run-status';

const POLL_MS = 1_000;
const MAX_POLL_MS = 5_000;
/** A live progress bar is refreshed at least this often, so its counts move with the heartbeats. */
const MAX_POLL_MS_WITH_VIEW = 2_000;
/** History of a started run no worker has picked up: WorkflowExecutionStarted, WorkflowTaskScheduled. */
const UNTOUCHED_HISTORY_LENGTH = 2;
/** How long a run may wait for a worker before `run` says that none is there. */
export const NO_WORKER_AFTER_MS = 10_000;

export interface WatchRunOptions {
  client: Client;
  handle: WorkflowHandle;
  runId: string;
  taskQueue: string;
  /** The run record's steps and events; without it only Temporal's view (retries, workers) is printed. */
  runs?: RunStore;
  print: (line: string) => void;
  /** Hears the run's merged view (cli/run-status.ts) every round, for a live progress bar. */
  onView?: (view: RunView) => void;
  /** Aborted once the run's outcome is in: the watcher then stops, without finishing a wait. */
  over: AbortSignal;
}

/**
 * Prints what a run is doing while `rosterflow run` waits for it, one line per change: from the run
 * store, each step's start and end and each recorded wait; from Temporal, each failed attempt of a
 * pending activity with its next retry (`describe()`), the waits the run's `progress` query reports
 * that the record does not, and whether any worker polls the task queue (DescribeTaskQueue). Reads
 * only; a read that fails is tried again on the next round.
 */
export async function watchRun(options: WatchRunOptions): Promise<void> {
  const progress = new RunProgress();
  const startedAt = Date.now();
  let workerMissing = false;
  let pollersDueAt = startedAt + NO_WORKER_AFTER_MS;
  let interval = POLL_MS;
  const maxInterval = options.onView ? MAX_POLL_MS_WITH_VIEW : MAX_POLL_MS;
  for (;;) {
    await pause(Math.max(0, Math.min(interval, pollersDueAt - Date.now())), options.over);
    // Once the outcome is in, the record is read once more, so the last step's end is printed before it.
    const last = options.over.aborted;
    const lines: string[] = [];
    const record = await options.runs?.get(options.runId).catch(() => null);
    if (record) lines.push(...progress.fromRecord(record));
    if (!last) {
      const description = await options.handle.describe().catch(() => undefined);
      if (description) {
        lines.push(...progress.fromPendingActivities(description.raw.pendingActivities ?? []));
        // Queries wait for a worker to answer: not while none is known to serve the run.
        const answerable = !workerMissing && description.historyLength > UNTOUCHED_HISTORY_LENGTH;
        const view = await readRunView(options.client, options.handle, {
          description,
          ...(record ? { record } : {}),
          queries: answerable,
        }).catch(() => undefined);
        if (view) {
          lines.push(...progress.fromWait(view, record));
          options.onView?.(view);
        }
      }
    }
    for (const line of lines) options.print(line);
    if (last) return;
    // A quiet run (a long extract, a hold, a durable wait) is looked at less often, up to every few seconds.
    interval = lines.length > 0 ? POLL_MS : Math.min(interval * 2, maxInterval);
    const now = Date.now();
    if (now < pollersDueAt) continue;
    pollersDueAt = now + NO_WORKER_AFTER_MS;
    const polled = await hasPollers(options.client, options.taskQueue).catch(() => undefined);
    if (polled === false && !workerMissing) {
      workerMissing = true;
      options.print(noWorkerHint(options.taskQueue, now - startedAt));
    } else if (polled === true && workerMissing) {
      workerMissing = false;
      options.print(workerFoundLine(options.taskQueue));
    }
  }
}

/** Waits `ms`, or less once the run is over, so its outcome is not held up by a slow round. */
export async function pause(ms: number, over: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal: over }).catch(() => undefined);
}

/** Whether a worker has lately polled the task queue, for workflow or for activity tasks. */
async function hasPollers(client: Client, taskQueue: string): Promise<boolean> {
  const { TaskQueueType, TaskQueueKind } = temporal.api.enums.v1;
  for (const taskQueueType of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
    });
    // The server lists pollers seen in the last few minutes: a stopped worker drops out after that.
    if (pollers.length > 0) return true;
  }
  return false;
}
