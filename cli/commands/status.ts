import { WorkflowNotFoundError } from '@temporalio/client';
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { RosterflowError } from '../../core/errors';
import type { RunRecord } from '../../store/run-record';
import type { RunStore } from '../../store/runs';
import { openStore } from '../../store/store';
import { settingsFrom, withClient } from '../context';
import { formatOutcome } from '../format';
import { employeesText, readRunView, waitInWords, withOutcome } from '../run-status';
import type { RunView } from '../run-status';
import { outcomeOf } from '../start-sync';

/** A run id as Temporal makes them (a UUID): safe to put in a list query as it is. */
const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `rosterflow status <workflowId|runId>`: one look at a run. A running run shows its step, attempt,
 * employees so far and wait (a hold with its reasons); a finished one its outcome as `run` prints it.
 */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show a run once: its step, attempt, employees and wait, or how it ended')
    .argument('<id>', 'a workflow id (as `run` and `holds` print it) or a run id')
    .option('--json', "print the run's merged progress as JSON", false)
    .action(async (id: string, options: { json: boolean }) => {
      const settings = await settingsFrom();
      // The record fills in for runs whose worker does not answer the progress query; Temporal alone still answers.
      const store = await openStore(settings.mongoUri, settings.dbName).catch(() => undefined);
      try {
        const shown = await withClient(settings, async (client) => {
          const { handle, description, record } = await findRun(client, store?.runs, id, settings.temporal.namespace);
          const view = await readRunView(client, handle, { description, ...(record ? { record } : {}) });
          if (description.status.name === 'RUNNING') {
            return options.json ? JSON.stringify(view, null, 2) : formatRunView(view);
          }
          const outcome = await outcomeOf(handle, description.runId);
          if (options.json) return JSON.stringify(withOutcome(view, outcome), null, 2);
          return [headline(view, description), formatOutcome(outcome, record ?? undefined)].join('\n');
        });
        console.log(shown);
      } finally {
        await store?.close();
      }
    });
}

interface FoundRun {
  handle: WorkflowHandle;
  description: WorkflowExecutionDescription;
  record: RunRecord | null;
}

/** A workflow id (its newest run), else a run id: through its run record, else Temporal's list. */
async function findRun(client: Client, runs: RunStore | undefined, id: string, namespace: string): Promise<FoundRun> {
  const byWorkflow = await describeOrNothing(client, id);
  if (byWorkflow) return { ...byWorkflow, record: await recordOf(runs, byWorkflow.description.runId) };
  const record = await recordOf(runs, id);
  let workflowId = record?.workflowId;
  if (workflowId === undefined && RUN_ID.test(id)) {
    for await (const execution of client.workflow.list({ query: `RunId="${id}"`, pageSize: 1 })) {
      workflowId = execution.workflowId;
      break;
    }
  }
  const byRun = workflowId === undefined ? undefined : await describeOrNothing(client, workflowId, id);
  if (byRun) return { ...byRun, record };
  if (record) {
    throw new RosterflowError(
      'InvalidInput',
      `Run ${id} is in the run store but no longer in Temporal (namespace ${namespace}): \`rosterflow history --run ${id}\` shows its record`,
    );
  }
  throw new RosterflowError(
    'InvalidInput',
    `No workflow or run "${id}" in Temporal (namespace ${namespace}) or the run store (\`rosterflow history\` lists recent runs with their ids)`,
  );
}

async function describeOrNothing(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<{ handle: WorkflowHandle; description: WorkflowExecutionDescription } | undefined> {
  try {
    const description = await client.workflow.getHandle(workflowId, runId).describe();
    // Pinned to the run described, so a workflow id started again meanwhile still shows this one.
    return { handle: client.workflow.getHandle(description.workflowId, description.runId), description };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

function recordOf(runs: RunStore | undefined, runId: string): Promise<RunRecord | null> {
  return runs ? runs.get(runId).catch(() => null) : Promise.resolve(null);
}

/** "acme-people (csv -> staffbase)  workflow ...  run ...", and when a finished run ended. */
function headline(view: RunView, description?: WorkflowExecutionDescription): string {
  const types = view.sourceType && view.targetType ? ` (${view.sourceType} -> ${view.targetType})` : '';
  const ended = description?.closeTime ? `  ended ${description.closeTime.toISOString()}` : '';
  return `${view.syncId ?? 'sync ?'}${types}  workflow ${view.workflowId}  run ${view.runId}${ended}`;
}

/** A running run in a few lines: step and attempt, employees so far, steps done, the wait; a hold in full. */
export function formatRunView(view: RunView, now: Date = new Date()): string {
  const lines = [headline(view)];
  const wait = view.wait;
  if (view.status === 'held' && wait?.kind === 'hold') {
    lines.push(
      `HELD: a safety rule tripped; nothing is delivered until an operator decides (expires ${wait.expiresAt}):`,
      ...wait.reasons.map((reason) => `  - ${reason}`),
      `  approve: ./bin/rosterflow approve ${view.workflowId} --reason "<why>"`,
      `  reject:  ./bin/rosterflow reject ${view.workflowId} --reason "<why>"`,
    );
    return lines.join('\n');
  }
  const attempt =
    view.attempt === undefined ? '' : ` (attempt ${view.attempt}${view.maxAttempts ? ` of ${view.maxAttempts}` : ''})`;
  const employees = view.employees ? `: ${employeesText(view.employees)}` : '';
  lines.push(`${view.status.toUpperCase()}: ${view.step ? `${view.step}${attempt}` : 'starting'}${employees}`);
  if (view.stepsDone.length > 0) lines.push(`  steps done: ${view.stepsDone.join(', ')}`);
  const counts = Object.entries(view.counts).map(([name, value]) => `${name} ${value}`);
  if (counts.length > 0) lines.push(`  counts: ${counts.join(', ')}`);
  if (wait) lines.push(`  ${waitInWords(wait, now)}`);
  return lines.join('\n');
}
