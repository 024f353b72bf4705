import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { inject } from 'vitest';
import { REPO_ROOT } from './harness';
import type { Harness } from './harness';

/** A real worker process (worker/main.ts) serving one task queue, to be killed with SIGKILL. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once it printed `text`. */
  waitForOutput(text: string, what: string): Promise<void>;
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
}

/** Spawns worker/main.ts against the harness's servers (overridable through `env`), collecting its output. */
export function spawnWorker(harness: Harness, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  // node itself, not the tsx launcher: SIGKILL must hit the worker, not a parent that leaves it running.
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: harness.temporalAddress,
      TEMPORAL_NAMESPACE: harness.namespace,
      MONGODB_URI: harness.mongoUri,
      ROSTERFLOW_DB: harness.dbName,
      ROSTERFLOW_CONFIG: harness.configPath,
      ROSTERFLOW_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

export async function startWorkerProcess(
  harness: Harness,
  taskQueue: string,
  env: Record<string, string> = {},
): Promise<WorkerProcess> {
  const { child, output } = spawnWorker(harness, { ROSTERFLOW_TASK_QUEUE: taskQueue, ...env });
  const worker: WorkerProcess = {
    child,
    output,
    waitForOutput: (text, what) => waitFor(() => output().includes(text), what, output),
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
  await worker.waitForOutput('rosterflow worker: task queue', 'the worker to start');
  return worker;
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  detail: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
