import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../../config/load';
import { RosterflowError } from '../../core/errors';
import type { RunRecord } from '../../store/run-record';
import type { RunStore } from '../../store/runs';
import { configPathFrom, settingsFrom, withStore } from '../context';
import type { GlobalOptions } from '../context';
import { formatHistory, formatRunDetail } from '../format';

export function registerHistoryCommand(program: Command): void {
  program
    .command('history')
    .description('show recent runs from the run store, newest first')
    .argument('[syncId]', 'only runs of this sync')
    .option('-n, --limit <count>', 'how many runs', parseCount, 20)
    .option(
      '--run <id>',
      'show one run in full (a run id, or a workflow id for its newest run): steps, timings, rejected rows',
    )
    .option('--json', 'print JSON instead of a table', false)
    .action(
      async (syncId: string | undefined, options: { limit: number; run?: string; json: boolean }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const settings = await settingsFrom();
        await withStore(settings, async (store) => {
          if (options.run !== undefined) {
            const found = await findRun(store.runs, options.run);
            // The run's alerts are kept beside its record (store/alert-deliveries.ts): shown with its events.
            const alerts = await store.alertDeliveries.ofRun(found.runId);
            const events = [...(found.events ?? []), ...alerts].sort((a, b) => a.at.getTime() - b.at.getTime());
            const run = { ...found, ...(events.length > 0 ? { events } : {}) };
            const { sync: _definition, ...shown } = run;
            console.log(options.json ? JSON.stringify(shown, null, 2) : formatRunDetail(run));
            return;
          }
          const runs = await store.runs.recent({ limit: options.limit, ...(syncId === undefined ? {} : { syncId }) });
          if (runs.length === 0 && syncId !== undefined) {
            await checkKnownSync(store.runs, syncId, globals);
            if (!options.json) {
              console.log(`No runs of sync "${syncId}" recorded yet.`);
              return;
            }
          }
          console.log(options.json ? JSON.stringify(runs, null, 2) : formatHistory(runs));
        });
      },
    );
}

/** A run by its run id, else the newest run of the workflow with that id. */
export async function findRun(runs: RunStore, id: string): Promise<RunRecord> {
  const run = (await runs.get(id)) ?? (await runs.latestOfWorkflow(id));
  if (!run) {
    throw new RosterflowError(
      'InvalidInput',
      `No run or workflow "${id}" in the run store (\`rosterflow history\` lists recent runs with their ids)`,
    );
  }
  return run;
}

/** Refuses a sync id that neither the config nor the run store knows, naming the ones they do. */
async function checkKnownSync(runs: RunStore, syncId: string, globals: GlobalOptions): Promise<void> {
  // A config that cannot be found or read leaves the syncs with recorded runs: history is still worth showing.
  const configPath = await configPathFrom(globals).catch(() => undefined);
  const configured =
    configPath === undefined
      ? []
      : await loadConfig(configPath).then(
          (config) => config.syncs.map((sync) => sync.id),
          () => [],
        );
  const known = [...new Set([...configured, ...(await runs.syncIds())])].sort();
  if (known.includes(syncId)) return;
  const listing = known.length === 0 ? 'none is configured or recorded' : `the known syncs are ${known.join(', ')}`;
  throw new RosterflowError(
    'UnknownSync',
    `No sync "${syncId}" in ${configPath ?? 'the config'} or the run store: ${listing}`,
  );
}

export function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError('must be a positive whole number');
  return count;
}
