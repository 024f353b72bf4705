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
import type { ChangeEntry } from '../../report/compare';
import { settingsFrom, withClient, withStore } from '../context';
import { writeReportCsv } from '../report/csv';
import { entryLine } from '../report/words';
import { parseCount } from './history';

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
    .option('-n, --limit <count>', 'how many of the people each run would deactivate to list', parseCount, 20)
    .option('--csv <file>', 'write everyone the held runs would deactivate to this CSV file')
    .option('--json', 'print JSON instead of a table', false)
    .action(async (syncId: string | undefined, options: { json: boolean; limit: number; csv?: string }) => {
      const settings = await settingsFrom();
      await withStore(settings, async (store) => {
        const recorded = await store.runs.held(syncId === undefined ? {} : { syncId });
        const runs =
          recorded.length === 0 ? [] : await withClient(settings, (client) => stillHeld(client, store, recorded));
        // Who would be deactivated: from the run store, never through Temporal.
        const people = await Promise.all(runs.map((run) => deactivationsOf(store, run, options.limit)));
        const written = options.csv === undefined ? undefined : await writeHeldCsv(store, runs, options.csv);
        if (options.json) {
          const listed = runs.map(({ sync: _definition, ...run }, at) => ({ ...run, wouldDeactivate: people[at] }));
          console.log(JSON.stringify(listed, null, 2));
        } else {
          console.log(formatHolds(runs, people));
          if (written !== undefined) console.log(`\nEveryone they would deactivate (${written}) is in ${options.csv}.`);
        }
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

/** The first people a held run would deactivate, and how many in all (undefined: the run has no report). */
export interface HeldPeople {
  total: number;
  first: ChangeEntry[];
}

async function deactivationsOf(store: Store, run: RunRecord, limit: number): Promise<HeldPeople | undefined> {
  if (!run.changes) return undefined;
  const first = await store.changeReports.first(run.runId, run.changes.attempt, 'deactivated', limit);
  return { total: run.changes.deactivated, first };
}

async function writeHeldCsv(store: Store, runs: RunRecord[], file: string): Promise<number> {
  return writeReportCsv(
    file,
    (async function* () {
      for (const run of runs) {
        if (!run.changes) continue;
        for await (const entry of store.changeReports.entries(run.runId, run.changes.attempt, 'deactivated'))
          yield { entry, prefix: [run.syncId, run.workflowId] };
      }
    })(),
    ['sync', 'workflow'],
  );
}

export function formatHolds(runs: RunRecord[], people: readonly (HeldPeople | undefined)[] = []): string {
  if (runs.length === 0) return 'No runs are held.';
  const lines: string[] = [];
  for (const [at, run] of runs.entries()) {
    const hold = run.hold;
    lines.push(
      `${run.syncId}  workflow ${run.workflowId}  run ${run.runId}`,
      `  held since ${hold?.since.toISOString() ?? '?'}, expires ${hold?.expiresAt.toISOString() ?? '?'}`,
      ...(hold?.reasons ?? []).map((reason) => `  - ${reason}`),
    );
    const listed = people[at];
    if (!listed) continue;
    if (listed.total === 0) {
      lines.push('  Nobody would be deactivated by its files.');
      continue;
    }
    lines.push(`  Would deactivate (${listed.total}):`, ...listed.first.map((entry) => `    ${entryLine(entry)}`));
    if (listed.total > listed.first.length)
      lines.push(`    ... and ${listed.total - listed.first.length} more (--csv <file> lists them all)`);
    lines.push(`  Everything the run would change: rosterflow report ${run.runId}`);
  }
  lines.push('', 'Answer with: rosterflow approve|reject <workflowId> --reason "<why>"');
  return lines.join('\n');
}
