import type { Command } from 'commander';
import { settingsFrom, withClient } from '../context';
import type { GlobalOptions } from '../context';
import { formatHeld, formatOutcome } from '../format';
import { startSyncAndWait } from '../start-sync';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('start a sync now, wait for it and print the outcome (exit code 1 if it fails)')
    .argument('<syncId>', 'the id of a sync in the config')
    .option('--dry-run', 'render and record everything but deliver nothing', false)
    .action(async (syncId: string, options: { dryRun: boolean }, command: Command) => {
      const settings = await settingsFrom(command.optsWithGlobals<GlobalOptions>());
      const outcome = await withClient(settings, (client) =>
        startSyncAndWait(
          client,
          { syncId, dryRun: options.dryRun, taskQueue: settings.taskQueue },
          (ids) => console.log(`started ${ids.workflowId} (run ${ids.runId}) on task queue "${settings.taskQueue}"`),
          (hold, ids) => console.log(formatHeld(hold, ids.workflowId)),
        ),
      );
      console.log(formatOutcome(outcome));
      if (!outcome.ok) process.exitCode = 1;
    });
}
