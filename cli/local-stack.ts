import { homeDir } from '../tools/stack/paths';
import { startLocalStack } from '../tools/stack/stack';
import type { LocalStack } from '../tools/stack/stack';
import {
  readDevState,
  readStackState,
  removeDevState,
  removeStackState,
  writeDevState,
  writeStackState,
} from '../tools/stack/state';

export interface RunningStack {
  stack: Omit<LocalStack, 'stop'>;
  /** False when another process's stack is reused (its Web UI settings are its own). */
  startedHere: boolean;
  /** Stops the stack if this process started it; leaves a stack another process runs alone. */
  release(): Promise<void>;
}

/**
 * The embedded default: reuses a local stack already running from this folder, or starts one with
 * persistent data under `.rosterflow/` and publishes its addresses in `.rosterflow/stack.json`.
 * With `configPath` (`rosterflow dev`), also records in `.rosterflow/dev.json` the config its worker
 * serves, so commands run from this folder find the same file (config/config-path.ts).
 */
export async function bringUpLocalStack(options: {
  ui: boolean;
  randomPorts: boolean;
  uiCodecEndpoint?: string;
  configPath?: string;
}): Promise<RunningStack> {
  const home = homeDir();
  const recordConfig = async () => {
    // A dev already running here keeps its record: the first one started serves this folder's commands.
    if (options.configPath !== undefined && !(await readDevState(home)))
      await writeDevState(home, { pid: process.pid, configPath: options.configPath });
  };
  const running = await readStackState(home);
  if (running) {
    console.log(`Using the local stack already running (pid ${running.pid}).`);
    await recordConfig();
    return { stack: running, startedHere: false, release: () => removeDevState(home) };
  }

  console.log('Starting the local stack (Temporal dev server and MongoDB-compatible store)...');
  const stack = await startLocalStack({
    home,
    persistent: true,
    ui: options.ui,
    preferDefaultPorts: !options.randomPorts,
    ...(options.uiCodecEndpoint === undefined ? {} : { uiCodecEndpoint: options.uiCodecEndpoint }),
    log: (line) => console.log(`  ${line}`),
  });
  const { stop: stopStack, ...addresses } = stack;
  await writeStackState(home, { ...addresses, pid: process.pid, startedAt: new Date().toISOString() });
  await recordConfig();
  return {
    stack: addresses,
    startedHere: true,
    release: async () => {
      await removeDevState(home);
      await removeStackState(home);
      await stopStack();
    },
  };
}

export function describeStack(stack: RunningStack['stack']): string {
  return [
    `  Temporal   ${stack.temporalAddress} (namespace ${stack.namespace})`,
    `  Web UI     ${stack.uiUrl ?? '(headless)'}`,
    `  Store      ${stack.mongoUri} (${stack.mongoKind})`,
  ].join('\n');
}
