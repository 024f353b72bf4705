import { join } from 'node:path';
import type { Command } from 'commander';
import { RosterflowError } from '../../core/errors';
import { settingsFrom, withClient, withStore } from '../context';
import type { GlobalOptions } from '../context';
import { formatOutcome } from '../format';
import { showRunReport } from '../report/run-report';
import type { RunReportOptions } from '../report/run-report';
import { startSyncAndWait } from '../start-sync';
import { findRun, parseCount } from './history';
import { summaryOf } from './run';

interface ReportCommandOptions {
  limit: number;
  csv?: string;
  out?: string;
  json: boolean;
}

/**
 * `rosterflow preview <syncId>`: a dry run that writes the files a real run would deliver to a local
 * folder and says who they add, change and deactivate; `rosterflow report <id>` says the same of any
 * past run. The people come from the run store (MongoDB), never through Temporal.
 */
export function registerReportCommands(program: Command): void {
  withReportOptions(
    program
      .command('preview')
      .description('dry-run a sync: write the files it would deliver and list who they add, change and deactivate')
      .argument('<syncId>', 'the id of a sync in the config')
      .option('--out <folder>', 'where to write the files (default: ./rosterflow-preview/<syncId>)'),
  ).action(async (syncId: string, options: ReportCommandOptions, command: Command) => {
    const settings = await settingsFrom();
    const staticSummary = await summaryOf(syncId, true, command.optsWithGlobals<GlobalOptions>());
    // On stderr, so stdout is the report alone (one document with --json).
    const say = options.json ? undefined : (line: string) => console.error(line);
    const outcome = await withClient(settings, (client) =>
      startSyncAndWait(
        client,
        {
          syncId,
          dryRun: true,
          taskQueue: settings.taskQueue,
          ...(staticSummary === undefined ? {} : { staticSummary }),
        },
        (ids) => say?.(`previewing ${syncId}: dry run ${ids.workflowId} (nothing is delivered)`),
      ),
    );
    if (!outcome.ok) {
      console.log(options.json ? JSON.stringify({ status: 'failed', ...outcome }, null, 2) : formatOutcome(outcome));
      process.exitCode = 1;
      return;
    }
    await withStore(settings, async (store) => {
      const run = await store.runs.get(outcome.runId);
      if (!run) throw new RosterflowError('StoreUnavailable', `The run store has no record of run ${outcome.runId}`);
      const out = options.out ?? join('rosterflow-preview', syncId);
      console.log(await showRunReport(store, run, reportOptions({ ...options, out })));
    });
  });

  withReportOptions(
    program
      .command('report')
      .description('show who a past run added, changed and deactivated (and write its files with --out)')
      .argument('<id>', 'a run id, or a workflow id for its newest run (as `history` and `holds` print them)')
      .option('--out <folder>', "write the run's files to this folder"),
  ).action(async (id: string, options: ReportCommandOptions) => {
    const settings = await settingsFrom();
    await withStore(settings, async (store) => {
      const run = await findRun(store.runs, id);
      console.log(await showRunReport(store, run, reportOptions(options)));
    });
  });
}

function withReportOptions(command: Command): Command {
  return command
    .option('-n, --limit <count>', 'how many people of each kind to list', parseCount, 10)
    .option('--csv <file>', 'write the whole report, one row per person, to this CSV file')
    .option('--json', 'print JSON instead of text', false);
}

function reportOptions(options: ReportCommandOptions): RunReportOptions {
  return {
    limit: options.limit,
    json: options.json,
    ...(options.csv === undefined ? {} : { csv: options.csv }),
    ...(options.out === undefined ? {} : { out: options.out }),
  };
}
