import { Command } from 'commander';
import { RosterflowError } from '../core/errors';
import { registerCodecServerCommand } from './commands/codec-server';
import { registerConfigCommands } from './commands/config';
import { registerConnectorsCommands } from './commands/connectors';
import { registerDevCommand } from './commands/dev';
import { registerHistoryCommand } from './commands/history';
import { registerHoldsCommands } from './commands/holds';
import { registerRunCommand } from './commands/run';
import { registerSchedulesCommands } from './commands/schedules';
import { registerStackCommands } from './commands/stack';

const program = new Command('rosterflow')
  .description('Keep SaaS people lists in step with your HR system, on Temporal.')
  .option('-c, --config <path>', 'the config file (default: $ROSTERFLOW_CONFIG or ./rosterflow.yaml)')
  .showHelpAfterError();

registerDevCommand(program);
registerRunCommand(program);
registerSchedulesCommands(program);
registerHistoryCommand(program);
registerHoldsCommands(program);
registerConfigCommands(program);
registerConnectorsCommands(program);
registerStackCommands(program);
registerCodecServerCommand(program);

program.parseAsync().catch((err: unknown) => {
  // Our own errors are written for operators; anything else keeps its stack for a bug report.
  console.error(err instanceof RosterflowError ? `rosterflow: ${err.message}` : err);
  process.exit(1);
});
