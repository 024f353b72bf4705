import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import type { RosterflowConfig } from '../../config/schema';
import { syncSecrets } from '../../config/sync-secrets';
import { readSetting } from '../../core/env';
import { configPathFrom } from '../context';
import type { GlobalOptions } from '../context';

export function registerConfigCommands(program: Command): void {
  program
    .command('config')
    .description('work with the config file')
    .command('check')
    .description('validate the config file, list its syncs and warn about secrets this shell does not set')
    .action(async (_options: unknown, command: Command) => {
      const path = await configPathFrom(command.optsWithGlobals<GlobalOptions>());
      const config = await loadConfig(path);
      console.log(`${path} is valid: ${config.syncs.length} sync(s)`);
      for (const sync of config.syncs) {
        const when = sync.schedule ? `${sync.schedule.cron} ${sync.schedule.timezone}` : 'not scheduled';
        console.log(`  ${sync.id}: ${sync.source.type} -> ${sync.target.type}, ${when}`);
      }
      // A warning, not an error: the worker may well run elsewhere, with its own environment.
      for (const warning of unsetSecrets(config, process.env)) console.error(`warning: ${warning}`);
    });
}

/** Secrets read from environment variables this shell does not set; runs fail at resolve on a worker without them. */
function unsetSecrets(config: RosterflowConfig, env: NodeJS.ProcessEnv): string[] {
  return config.syncs.flatMap((sync) => {
    const { source, target } = syncSecrets(sync);
    return [...source, ...target].flatMap(({ setting, ref }) =>
      'env' in ref && readSetting(env, ref.env) === undefined
        ? [
            `${sync.id} ${setting}: ${ref.env} is not set in this shell; runs fail unless it is set where the worker runs`,
          ]
        : [],
    );
  });
}
