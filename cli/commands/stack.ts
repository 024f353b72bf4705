import type { Command } from 'commander';
import { homeDir } from '../../tools/stack/paths';
import { readStackState } from '../../tools/stack/state';
import { bringUpLocalStack, describeStack } from '../local-stack';
import { Cleanups, stopOnSignals } from '../stop-signals';

export function registerStackCommands(program: Command): void {
  const stack = program.command('stack').description('the local Temporal dev server and store');

  stack
    .command('start')
    .description('start the local stack on free loopback ports and keep it up until Ctrl-C or `stack stop`')
    .option('--headless', 'no Temporal Web UI', false)
    .option('--random-ports', 'do not try the usual ports (7233, 8233, 27017) first', false)
    .action(async (options: { headless: boolean; randomPorts: boolean }) => {
      const cleanups = new Cleanups();
      // Also during start-up: what was started so far is stopped (SIGTERM, SIGINT, SIGHUP).
      stopOnSignals(cleanups, 'the local stack');
      const running = await bringUpLocalStack({ ui: !options.headless, randomPorts: options.randomPorts });
      cleanups.add('the local stack', () => running.release());
      console.log(
        `Local stack is up:\n${describeStack(running.stack)}\nStop it with Ctrl-C or \`rosterflow stack stop\`.`,
      );
      // Stays up until a stop signal; its handler stops the stack and exits.
      await new Promise(() => undefined);
    });

  stack
    .command('stop')
    .description('stop the local stack started from this folder')
    .action(async () => {
      const state = await readStackState(homeDir());
      if (!state) {
        console.log('No local stack is running here.');
        return;
      }
      process.kill(state.pid, 'SIGTERM');
      const deadline = Date.now() + 30_000;
      while ((await readStackState(homeDir())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      console.log((await readStackState(homeDir())) ? `pid ${state.pid} did not stop in 30s` : 'Local stack stopped.');
    });

  stack
    .command('status')
    .description('show the addresses of the local stack, if one is running')
    .action(async () => {
      const state = await readStackState(homeDir());
      console.log(
        state ? `Local stack (pid ${state.pid}):\n${describeStack(state)}` : 'No local stack is running here.',
      );
    });
}
