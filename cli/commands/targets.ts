import type { Command } from 'commander';
import { TARGET_DEFINITIONS } from '../../targets';
import { describeConnector, formatConnector } from '../config-fields';

export function registerTargetsCommands(program: Command): void {
  const targets = program.command('targets').description('delivery targets: list the registered ones');

  targets
    .command('list')
    .description('list the registered targets with their config settings')
    .option('--json', 'print JSON (each target with its fields and its JSON Schema)', false)
    .action((options: { json: boolean }) => {
      const described = TARGET_DEFINITIONS.map(describeConnector);
      console.log(options.json ? JSON.stringify(described, null, 2) : described.map(formatConnector).join('\n\n'));
    });
}
