import type { Command } from 'commander';
import { openStore } from '../../store/store';
import { settingsFrom, withClient } from '../context';
import { formatHeld, formatOutcome } from '../format';
import { startSyncAndWait } from '../start-sync';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('start a sync now, print its progress and its outcome (exit code 1 if it fails)')
    .argument('<syncId>', 'the id of a sync in the config')
    .option('--dry-run', 'render and record everything but deliver nothing', false)
    .action(async (syncId: string, options: { dryRun: boolean }) => {
      const settings = await settingsFrom();
      // The run store gives the steps, waits and rejected rows; the run itself needs only Temporal
      // (its worker rides out a store outage), so an unreachable store only makes the output shorter.
      const store = await openStore(settings.mongoUri, settings.dbName).catch(() => {
        console.log('(the run store is unreachable: only what Temporal knows is shown)');
        return undefined;
      });
      try {
        const outcome = await withClient(settings, (client) =>
          startSyncAndWait(
            client,
            {
              syncId,
              dryRun: options.dryRun,
              taskQueue: settings.taskQueue,
              progress: { print: (line) => console.log(line), ...(store ? { runs: store.runs } : {}) },
            },
            (ids) => console.log(`started ${ids.workflowId} (run ${ids.runId}) on task queue "${settings.taskQueue}"`),
            (hold, ids) => console.log(formatHeld(hold, ids.workflowId)),
          ),
        );
        const record = await store?.runs.get(outcome.runId).catch(() => null);
        console.log(formatOutcome(outcome, record ?? undefined));
        if (!outcome.ok) process.exitCode = 1;
      } finally {
        await store?.close();
      }
    });
}
