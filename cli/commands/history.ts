import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { RosterflowError } from '../../core/errors';
import { settingsFrom, withStore } from '../context';
import type { GlobalOptions } from '../context';
import { formatHistory, formatRunDetail } from '../format';

export function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description('show recent runs from the run store, newest first')
    .argument('[syncId]', 'only runs of this sync')
    .option('-n, --limit <count>', 'how many runs', parseCount, 20)
    .option('--run <runId>', 'show one run in full: steps, timings, rejected rows')
    .option('--json', 'print JSON instead of a table', false)
    .action(
      async (syncId: string | undefined, options: { limit: number; run?: string; json: boolean }, command: Command) => {
        const settings = await settingsFrom(command.optsWithGlobals<GlobalOptions>());
        await withStore(settings, async (store) => {
          if (options.run !== undefined) {
            const run = await store.runs.get(options.run);
            if (!run) throw new RosterflowError('InvalidInput', `No run ${options.run} in the run store`);
            const { sync: _definition, ...shown } = run;
            console.log(options.json ? JSON.stringify(shown, null, 2) : formatRunDetail(run));
            return;
          }
          const runs = await store.runs.recent({ limit: options.limit, ...(syncId === undefined ? {} : { syncId }) });
          console.log(options.json ? JSON.stringify(runs, null, 2) : formatHistory(runs));
        });
      },
    );
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError('must be a positive whole number');
  return count;
}
