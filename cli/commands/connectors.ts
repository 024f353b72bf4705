import type { Command } from 'commander';
import { SOURCE_DEFINITIONS } from '../../connectors';
import { describeConnector, formatConnector } from '../config-fields';
import { scaffoldRoot } from '../scaffold/checkout';
import { scaffoldConnector } from '../scaffold/generate';
import { nextSteps } from '../scaffold/next-steps';

export function registerConnectorsCommands(program: Command): void {
  const connectors = program
    .command('connectors')
    .description('source connectors: list the registered ones, generate a new one');

  connectors
    .command('list')
    .description('list the registered sources with their config settings')
    .option('--json', 'print JSON (each source with its fields and its JSON Schema)', false)
    .action((options: { json: boolean }) => {
      const sources = SOURCE_DEFINITIONS.map(describeConnector);
      console.log(options.json ? JSON.stringify(sources, null, 2) : sources.map(formatConnector).join('\n\n'));
    });

  connectors
    .command('new')
    .description('generate a source connector that works against its own fake, the fake and a passing test')
    .argument('<name>', 'kebab-case vendor name, also the config type, e.g. acme-hr')
    .option('--root <dir>', 'the rosterflow checkout to write into (default: the one around the current folder)')
    .action(async (name: string, options: { root?: string }) => {
      const root = await scaffoldRoot('connectors new', options.root);
      const takenTypes = SOURCE_DEFINITIONS.map((definition) => definition.type);
      console.log(nextSteps(await scaffoldConnector({ name, root, takenTypes })));
    });
}
