import type { ScheduleDescription, ScheduleHandle } from '@temporalio/client';
import { RosterflowError } from '../../core/errors';
import type { ManagedSchedule } from './find';

/** Pauses with a note saying who and why; the note is what `list` and the Web UI show. */
export async function pauseSchedule(
  { handle, description }: ManagedSchedule,
  by: string,
  why: string,
): Promise<{ note: string; wasPaused: boolean }> {
  const note = `Paused by ${by}: ${why}`;
  await handle.pause(note);
  return { note, wasPaused: description.state.paused };
}

export async function unpauseSchedule(
  { handle, description }: ManagedSchedule,
  by: string,
  why: string | undefined,
): Promise<{ note: string; wasPaused: boolean }> {
  const note = `Unpaused by ${by}${why ? `: ${why}` : ''}`;
  await handle.unpause(note);
  return { note, wasPaused: description.state.paused };
}

/** How long `trigger` watches the schedule for the run it started. */
const TRIGGERED_RUN_WAIT_MS = 10_000;

/**
 * Runs the sync now through its schedule, so the run is the schedule's (its workflow id, its
 * `TemporalScheduledById`, trigger "schedule"), and returns the run's ids once the schedule records
 * it (undefined if it has not within a few seconds). Refused while a scheduled run is still going:
 * the schedule's overlap policy (SKIP) would drop the trigger without a word.
 */
export async function triggerSchedule({
  handle,
  description,
}: ManagedSchedule): Promise<{ workflowId: string; runId: string } | undefined> {
  const running = description.info.runningActions[0];
  if (running) {
    throw new RosterflowError(
      'InvalidInput',
      `Schedule ${handle.scheduleId} already has a run going (workflow ${running.workflow.workflowId}); ` +
        'it starts no second one, so wait for that run to finish',
    );
  }
  const before = new Set(workflowIds(description));
  await handle.trigger(description.policies.overlap);
  return waitForNewRun(handle, before);
}

async function waitForNewRun(
  handle: ScheduleHandle,
  before: Set<string>,
): Promise<{ workflowId: string; runId: string } | undefined> {
  const deadline = Date.now() + TRIGGERED_RUN_WAIT_MS;
  while (Date.now() < deadline) {
    const { info } = await handle.describe();
    const started = info.recentActions.find((action) => !before.has(action.action.workflow.workflowId));
    if (started)
      return { workflowId: started.action.workflow.workflowId, runId: started.action.workflow.firstExecutionRunId };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

function workflowIds(description: ScheduleDescription): string[] {
  return [...description.info.recentActions.map((action) => action.action), ...description.info.runningActions].map(
    (action) => action.workflow.workflowId,
  );
}
