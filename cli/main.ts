import { Command } from 'commander';
import { resolveRuntimeSettings } from '../config/runtime';
import { registerCodecServerCommand } from './commands/codec-server';
import { registerConfigCommands } from './commands/config';
import { registerConnectorsCommands } from './commands/connectors';
import { registerDevCommand } from './commands/dev';
import { registerHistoryCommand } from './commands/history';
import { registerHoldsCommands } from './commands/holds';
import { registerReportCommands } from './commands/preview';
import { registerRunCommand } from './commands/run';
import { registerSchedulesCommands } from './commands/schedules';
import { registerStackCommands } from './commands/stack';
import { registerStatusCommand } from './commands/status';
import { registerTargetsCommands } from './commands/targets';
import { describeExpectedError } from './expected-errors';

const program = new Command('rosterflow')
  .description('Keep SaaS people lists in step with your HR system, on Temporal.')
  .option(
    '-c, --config <path>',
    'the config file (default: $ROSTERFLOW_CONFIG, ./rosterflow.yaml, or the one a `rosterflow dev` running here serves)',
  )
  .option('--debug', 'print the stack trace of every error, expected ones too', false)
  .showHelpAfterError();

registerDevCommand(program);
registerRunCommand(program);
registerStatusCommand(program);
registerSchedulesCommands(program);
registerReportCommands(program);
registerHistoryCommand(program);
registerHoldsCommands(program);
registerConfigCommands(program);
registerConnectorsCommands(program);
registerTargetsCommands(program);
registerStackCommands(program);
registerCodecServerCommand(program);

program.parseAsync().catch(async (err: unknown) => {
  // Expected errors (ours, a server that does not answer) are one sentence for operators; anything
  // else is a bug and keeps its stack for the report, as does everything with --debug.
  const expected = describeExpectedError(err, await temporalAddress());
  if (expected !== undefined) console.error(`rosterflow: ${expected}`);
  if (expected === undefined || program.opts<{ debug: boolean }>().debug) console.error(err);
  process.exit(1);
});

/** The Temporal address the command used, to name it in the message; undefined if it cannot be told. */
function temporalAddress(): Promise<string | undefined> {
  return resolveRuntimeSettings().then(
    (settings) => settings.temporal.connectionOptions.address,
    () => undefined,
  );
}
