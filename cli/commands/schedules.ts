import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { RosterflowError } from '../../core/errors';
import { applySchedules } from '../apply-schedules';
import { configPathFrom, settingsFrom, withClient } from '../context';
import type { GlobalOptions } from '../context';
import { pauseSchedule, triggerSchedule, unpauseSchedule } from '../schedules/actions';
import { findManagedSchedule } from '../schedules/find';
import type { ConfigContext } from '../schedules/find';
import { formatScheduleChange, formatScheduleList } from '../schedules/format';
import { listSchedules } from '../schedules/list';
import { operatorName } from '../schedules/operator';

/** How many upcoming runs `list` shows per schedule. */
const NEXT_RUNS_SHOWN = 3;

export function registerSchedulesCommands(program: Command): void {
  const schedules = program.command('schedules').description('manage the Temporal Schedules that run syncs');
  schedules
    .command('apply')
    .description('create or update one Temporal Schedule per scheduled sync in the config (idempotent)')
    .option('--prune', 'delete rosterflow schedules whose sync is no longer in the config', false)
    .option('--dry-run', 'say what would be created, updated (which settings) or deleted, and change nothing', false)
    .action(async (options: { prune: boolean; dryRun: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = await loadConfig(await configPathFrom(globals));
      const settings = await settingsFrom();
      const changes = await withClient(settings, (client) =>
        applySchedules(client, config, { taskQueue: settings.taskQueue, prune: options.prune, dryRun: options.dryRun }),
      );
      for (const change of changes) console.log(formatScheduleChange(change, options.dryRun));
      if (options.dryRun) console.log('Dry run: nothing was changed.');
    });

  schedules
    .command('list')
    .description('every rosterflow schedule: its cron and time zone, paused or not, next runs, last run')
    .option('--json', 'print JSON instead of text', false)
    .action(async (options: { json: boolean }, command: Command) => {
      const context = await readConfig(command.optsWithGlobals<GlobalOptions>());
      if (context.problem !== undefined) {
        console.error(`rosterflow: warning: ${context.problem}; listing what Temporal has`);
      }
      const list = await withClient(await settingsFrom(), (client) =>
        listSchedules(client, context.config, NEXT_RUNS_SHOWN),
      );
      if (!options.json) {
        console.log(formatScheduleList(list));
        return;
      }
      console.log(JSON.stringify(list.schedules, null, 2));
      if (list.notApplied.length > 0) {
        console.error(`Scheduled in the config but not in Temporal: ${list.notApplied.join(', ')}`);
      }
    });

  schedules
    .command('pause')
    .description("pause a sync's schedule, with a note saying why (shown by `list` and the Web UI)")
    .argument('<syncId>', 'the sync whose schedule to pause')
    .requiredOption('--note <why>', 'why it is paused; recorded on the schedule with your name')
    .option('--by <name>', 'who pauses it (default: your OS user name)')
    .action(async (syncId: string, options: { note: string; by?: string }, command: Command) => {
      const why = options.note.trim();
      if (why === '') throw new RosterflowError('InvalidInput', 'A pause needs a note saying why: --note "<why>"');
      const context = await readConfig(command.optsWithGlobals<GlobalOptions>());
      await withClient(await settingsFrom(), async (client) => {
        const schedule = await findManagedSchedule(client, syncId, context);
        const { note, wasPaused } = await pauseSchedule(schedule, operatorName(options.by), why);
        console.log(`Paused ${schedule.handle.scheduleId}${wasPaused ? ' (it was paused already)' : ''}: "${note}"`);
      });
    });

  schedules
    .command('unpause')
    .description("unpause a sync's schedule")
    .argument('<syncId>', 'the sync whose schedule to unpause')
    .option('--note <why>', 'why; recorded on the schedule with your name')
    .option('--by <name>', 'who unpauses it (default: your OS user name)')
    .action(async (syncId: string, options: { note?: string; by?: string }, command: Command) => {
      const context = await readConfig(command.optsWithGlobals<GlobalOptions>());
      await withClient(await settingsFrom(), async (client) => {
        const schedule = await findManagedSchedule(client, syncId, context);
        const { note, wasPaused } = await unpauseSchedule(schedule, operatorName(options.by), options.note?.trim());
        console.log(`Unpaused ${schedule.handle.scheduleId}${wasPaused ? '' : ' (it was not paused)'}: "${note}"`);
      });
    });

  schedules
    .command('trigger')
    .description('run a sync now through its schedule, as a scheduled run')
    .argument('<syncId>', 'the sync whose schedule to trigger')
    .action(async (syncId: string, _options: unknown, command: Command) => {
      const context = await readConfig(command.optsWithGlobals<GlobalOptions>());
      await withClient(await settingsFrom(), async (client) => {
        const schedule = await findManagedSchedule(client, syncId, context);
        const started = await triggerSchedule(schedule);
        console.log(
          started
            ? `Triggered ${schedule.handle.scheduleId}: workflow ${started.workflowId} (run ${started.runId})`
            : `Triggered ${schedule.handle.scheduleId}; its run has not shown yet (see \`rosterflow schedules list\`)`,
        );
      });
    });

  schedules
    .command('delete')
    .description("delete a sync's schedule (only one `apply` made)")
    .argument('<syncId>', 'the sync whose schedule to delete')
    .action(async (syncId: string, _options: unknown, command: Command) => {
      const context = await readConfig(command.optsWithGlobals<GlobalOptions>());
      await withClient(await settingsFrom(), async (client) => {
        const { handle } = await findManagedSchedule(client, syncId, context);
        await handle.delete();
        const sync = context.config?.syncs.find((candidate) => candidate.id === syncId);
        console.log(
          `Deleted ${handle.scheduleId}.` +
            (sync?.schedule
              ? ` Its sync still has a schedule in ${context.path}: the next \`schedules apply\` creates it again.`
              : ''),
        );
      });
    });
}

/**
 * The config, if it can be read. Commands on one schedule and `list` work without it (an operator
 * pausing a schedule in an incident should not first need the config file): it only explains a
 * missing schedule and marks schedules whose sync is gone.
 */
async function readConfig(globals: GlobalOptions): Promise<ConfigContext & { problem?: string }> {
  let path: string | undefined;
  try {
    path = await configPathFrom(globals);
    return { config: await loadConfig(path), path };
  } catch (err) {
    if (!(err instanceof RosterflowError)) throw err;
    return { config: undefined, path, problem: err.message };
  }
}
