import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { applySchedules } from '../apply-schedules';
import { configPathFrom, settingsFrom, withClient } from '../context';
import type { GlobalOptions } from '../context';

export function registerSchedulesCommands(program: Command): void {
  const schedules = program.command('schedules').description('manage the Temporal Schedules that run syncs');
  schedules
    .command('apply')
    .description('create or update one Temporal Schedule per scheduled sync in the config (idempotent)')
    .option('--prune', 'delete rosterflow schedules whose sync is no longer in the config', false)
    .action(async (options: { prune: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = await loadConfig(await configPathFrom(globals));
      const settings = await settingsFrom();
      const changes = await withClient(settings, (client) =>
        applySchedules(client, config, { taskQueue: settings.taskQueue, prune: options.prune }),
      );
      for (const change of changes) {
        console.log(`${change.outcome.padEnd(13)} ${change.scheduleId}${change.note ? `  (${change.note})` : ''}`);
      }
    });
}
