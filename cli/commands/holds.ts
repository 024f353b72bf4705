import { userInfo } from 'node:os';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { RosterflowError } from '../../core/errors';
import { parseHoldDecision } from '../../core/safety-rules';
import type { HoldDecisionInput } from '../../core/safety-rules';
import type { RunRecord } from '../../store/run-record';
import type { Store } from '../../store/store';
import type { HoldDecisionOutcome } from '../../workflows/hold';
import { settingsFrom, withClient, withStore } from '../context';

/**
 * `rosterflow holds`, `approve` and `reject`: the CLI side of operator holds (workflows/hold.ts).
 * The list comes from the run store; a decision goes to the workflow as the `decideHold` Update, so
 * the command only reports success once the run has recorded it, and learns at once when there is
 * nothing to decide (the Update's validator refuses it).
 */
export function registerHoldsCommands(program: Command): void {
  program
    .command('holds')
    .description('list runs held by a safety rule, waiting for approval')
    .argument('[syncId]', 'only runs of this sync')
    .option('--json', 'print JSON instead of a table', false)
    .action(async (syncId: string | undefined, options: { json: boolean }) => {
      const settings = await settingsFrom();
      await withStore(settings, async (store) => {
        const recorded = await store.runs.held(syncId === undefined ? {} : { syncId });
        const runs =
          recorded.length === 0 ? [] : await withClient(settings, (client) => stillHeld(client, store, recorded));
        console.log(options.json ? JSON.stringify(runs, null, 2) : formatHolds(runs));
      });
    });

  for (const approve of [true, false]) {
    program
      .command(approve ? 'approve' : 'reject')
      .description(
        approve
          ? 'approve a held run: it goes on to deliver'
          : 'reject a held run: it fails as HoldRejected and delivers nothing',
      )
      .argument('<workflowId>', "the held run's workflow id (see `rosterflow holds`)")
      .requiredOption('--reason <text>', 'why (recorded in the run with your name)')
      .option('--by <name>', 'who decides (default: your OS user name)')
      .action(async (workflowId: string, options: { reason: string; by?: string }) => {
        const decision = parseHoldDecision({ approve, by: options.by ?? defaultUser(), reason: options.reason });
        if (typeof decision === 'string') throw new RosterflowError('InvalidInput', decision);
        const settings = await settingsFrom();
        const outcome = await withClient(settings, (client) => sendDecision(client, workflowId, decision));
        console.log(
          outcome.approved
            ? `approved by ${outcome.by} at ${outcome.at}: ${workflowId} goes on to deliver`
            : `rejected by ${outcome.by} at ${outcome.at}: ${workflowId} fails as HoldRejected, nothing is delivered`,
        );
      });
  }
}

/**
 * The held runs whose workflow is still running. A workflow terminated (or timed out) while held never
 * records its own end: its run record is closed here as failed, so it stops being listed.
 */
async function stillHeld(client: Client, store: Store, runs: RunRecord[]): Promise<RunRecord[]> {
  const open: RunRecord[] = [];
  for (const run of runs) {
    const status = await client.workflow
      .getHandle(run.workflowId, run.runId)
      .describe()
      .then(
        (description) => description.status.name,
        (err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return 'gone from Temporal';
          throw err;
        },
      );
    if (status === 'RUNNING') {
      open.push(run);
      continue;
    }
    const ended = status.toLowerCase().replace(/_/g, ' ');
    await store.runs.finish(run.runId, 'failed', {
      type: 'HoldAbandoned',
      message: `The workflow was ${ended} while held; nothing was delivered`,
    });
    console.error(`${run.workflowId}: the workflow was ${ended} while held; its run is now recorded as failed`);
  }
  return open;
}

function defaultUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? '';
  }
}

export async function sendDecision(
  client: Client,
  workflowId: string,
  decision: HoldDecisionInput,
): Promise<HoldDecisionOutcome> {
  try {
    return await client.workflow
      .getHandle(workflowId)
      .executeUpdate<HoldDecisionOutcome, [HoldDecisionInput]>('decideHold', { args: [decision] });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      // The server answers an Update to a closed run as "not found" too: tell the two apart.
      const status = await client.workflow
        .getHandle(workflowId)
        .describe()
        .then(
          (description) => description.status.name,
          () => undefined,
        );
      if (status !== undefined && status !== 'RUNNING') {
        throw new RosterflowError(
          'InvalidInput',
          `${workflowId} has already finished (${status}); there is nothing to decide`,
        );
      }
      throw new RosterflowError(
        'InvalidInput',
        `No workflow ${workflowId} in this namespace (see \`rosterflow holds\`)`,
      );
    }
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause instanceof Error ? err.cause.message : err.message;
      throw new RosterflowError('InvalidInput', `${workflowId} refused the decision: ${cause}`);
    }
    throw err;
  }
}

export function formatHolds(runs: RunRecord[]): string {
  if (runs.length === 0) return 'No runs are held.';
  const lines: string[] = [];
  for (const run of runs) {
    const hold = run.hold;
    lines.push(
      `${run.syncId}  workflow ${run.workflowId}  run ${run.runId}`,
      `  held since ${hold?.since.toISOString() ?? '?'}, expires ${hold?.expiresAt.toISOString() ?? '?'}`,
      ...(hold?.reasons ?? []).map((reason) => `  - ${reason}`),
    );
  }
  lines.push('', 'Answer with: rosterflow approve|reject <workflowId> --reason "<why>"');
  return lines.join('\n');
}
