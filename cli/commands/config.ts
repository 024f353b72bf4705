import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH } from '../../config/runtime';
import { readSetting } from '../../core/env';
import type { GlobalOptions } from '../context';

export function registerConfigCommands(program: Command): void {
  program
    .command('config')
    .description('work with the config file')
    .command('check')
    .description('validate the config file and list its syncs')
    .action(async (_options: unknown, command: Command) => {
      const { config: configOption } = command.optsWithGlobals<GlobalOptions>();
      const path = resolve(configOption ?? readSetting(process.env, 'ROSTERFLOW_CONFIG') ?? DEFAULT_CONFIG_PATH);
      const config = await loadConfig(path);
      console.log(`${path} is valid: ${config.syncs.length} sync(s)`);
      for (const sync of config.syncs) {
        const when = sync.schedule ? `${sync.schedule.cron} ${sync.schedule.timezone}` : 'not scheduled';
        console.log(`  ${sync.id}: ${sync.source.type} -> ${sync.target.type}, ${when}`);
      }
    });
}
