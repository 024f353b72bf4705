import type { Command } from 'commander';
import { TARGET_DEFINITIONS } from '../../targets';
import { describeConnector, formatConnector } from '../config-fields';
import { scaffoldRoot } from '../scaffold/checkout';
import { scaffoldTarget } from '../scaffold/target';
import { targetNextSteps } from '../scaffold/target-next-steps';

export function registerTargetsCommands(program: Command): void {
  const targets = program
    .command('targets')
    .description('delivery targets: list the registered ones, generate a new one');

  targets
    .command('list')
    .description('list the registered targets with their config settings')
    .option('--json', 'print JSON (each target with its fields and its JSON Schema)', false)
    .action((options: { json: boolean }) => {
      const described = TARGET_DEFINITIONS.map(describeConnector);
      console.log(options.json ? JSON.stringify(described, null, 2) : described.map(formatConnector).join('\n\n'));
    });

  targets
    .command('new')
    .description('generate a target delivered by the step protocol, its vendor fake and its conformance test')
    .argument('<name>', 'kebab-case vendor name, also the config type, e.g. acme-hr')
    .option('--root <dir>', 'the rosterflow checkout to write into (default: the one around the current folder)')
    .action(async (name: string, options: { root?: string }) => {
      const root = await scaffoldRoot('targets new', options.root);
      const takenTypes = TARGET_DEFINITIONS.map((definition) => definition.type);
      console.log(targetNextSteps(await scaffoldTarget({ name, root, takenTypes })));
    });
}
