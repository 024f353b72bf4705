import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { runSummary } from '../../core/run-summary';
import { openStore } from '../../store/store';
import { configPathFrom, settingsFrom, withClient } from '../context';
import type { GlobalOptions } from '../context';
import { formatHeld, formatOutcome } from '../format';
import { barDisplay, lineDisplay } from '../progress-bar';
import type { ProgressDisplay } from '../progress-bar';
import { startSync, startSyncAndWait } from '../start-sync';
import type { SyncOutcome } from '../start-sync';

interface RunOptions {
  dryRun: boolean;
  detach: boolean;
  json: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('start a sync now, show its progress and its outcome (exit code 1 if it fails)')
    .argument('<syncId>', 'the id of a sync in the config')
    .option('--dry-run', 'render and record everything but deliver nothing', false)
    .option('--detach', 'start the run, print its workflow id and run id, and return without waiting', false)
    .option('--json', 'print only the outcome, as one JSON document (with --detach: the ids)', false)
    .action(async (syncId: string, options: RunOptions, command: Command) => {
      const settings = await settingsFrom();
      const staticSummary = await summaryOf(syncId, options.dryRun, command.optsWithGlobals<GlobalOptions>());
      const start = {
        syncId,
        dryRun: options.dryRun,
        taskQueue: settings.taskQueue,
        ...(staticSummary === undefined ? {} : { staticSummary }),
      };
      if (options.detach) {
        const handle = await withClient(settings, (client) => startSync(client, start));
        const ids = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
        console.log(
          options.json
            ? JSON.stringify(ids)
            : [startedLine(ids, settings.taskQueue), `  follow it: ./bin/rosterflow status ${ids.workflowId}`].join(
                '\n',
              ),
        );
        return;
      }
      // --json prints the outcome alone; a terminal gets a live bar, anything else one line per change.
      const display: ProgressDisplay | undefined = options.json
        ? undefined
        : process.stdout.isTTY
          ? barDisplay()
          : lineDisplay();
      // The run store gives the steps, waits and rejected rows; the run itself needs only Temporal
      // (its worker rides out a store outage), so an unreachable store only makes the output shorter.
      const store = await openStore(settings.mongoUri, settings.dbName).catch(() => {
        display?.print('(the run store is unreachable: only what Temporal knows is shown)');
        return undefined;
      });
      const progress = display && {
        print: display.print,
        ...(display.show ? { onView: display.show } : {}),
        ...(store ? { runs: store.runs } : {}),
      };
      try {
        const outcome = await withClient(settings, (client) =>
          startSyncAndWait(
            client,
            { ...start, ...(progress ? { progress } : {}) },
            (ids) => display?.print(startedLine(ids, settings.taskQueue)),
            // With --json a hold still says why the run waits, on stderr.
            (hold, ids) => (display ? display.print : console.error)(formatHeld(hold, ids.workflowId)),
          ),
        );
        display?.stop();
        if (options.json) {
          console.log(JSON.stringify(outcomeJson(outcome), null, 2));
        } else {
          const record = await store?.runs.get(outcome.runId).catch(() => null);
          console.log(formatOutcome(outcome, record ?? undefined));
        }
        if (!outcome.ok) process.exitCode = 1;
      } finally {
        display?.stop();
        await store?.close();
      }
    });
}

function startedLine(ids: { workflowId: string; runId: string }, taskQueue: string): string {
  return `started ${ids.workflowId} (run ${ids.runId}) on task queue "${taskQueue}"`;
}

/** The outcome for scripts: `status` first (succeeded, partial or failed), then the result or the failure. */
function outcomeJson(outcome: SyncOutcome): Record<string, unknown> {
  return { status: outcome.ok ? outcome.result.status : 'failed', ...outcome };
}

/**
 * The run's one line in the Web UI, "acme-people: csv -> staffbase", from the config the CLI reads.
 * A config that cannot be read (or lacks the sync) starts the run without one: the run itself fails
 * with the reason, in the worker's words.
 */
export async function summaryOf(syncId: string, dryRun: boolean, globals: GlobalOptions): Promise<string | undefined> {
  try {
    const config = await loadConfig(await configPathFrom(globals));
    const sync = config.syncs.find((candidate) => candidate.id === syncId);
    return sync && runSummary({ syncId, sourceType: sync.source.type, targetType: sync.target.type, dryRun });
  } catch {
    return undefined;
  }
}
