import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './harness';
import type { Harness } from './harness';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const CLI = join(REPO_ROOT, 'bin', 'rosterflow');

/** The environment an operator's shell would have, pointed at the harness's stack. */
function cliEnv(harness: Harness, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: harness.temporalAddress,
    MONGODB_URI: harness.mongoUri,
    ROSTERFLOW_DB: harness.dbName,
    ROSTERFLOW_TASK_QUEUE: harness.taskQueue,
    ROSTERFLOW_CONFIG: harness.configPath,
    TEMPORAL_NAMESPACE: harness.namespace,
    ...env,
  };
}

/** Runs bin/rosterflow the way an operator would, pointed at the harness's stack through the environment. */
export function runCli(harness: Harness, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(CLI, args, { cwd: harness.dir, timeout: 120_000, env: cliEnv(harness, env) }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A running bin/rosterflow whose output can be watched as it comes, for commands that wait. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed to stdout so far. */
  stdout(): string;
  /** Resolves with stdout so far once it matches, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Stops the CLI (SIGINT, as Ctrl-C) and waits for it to exit. */
  stop(): Promise<void>;
}

export function spawnCli(harness: Harness, args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(CLI, args, { cwd: harness.dir, env: cliEnv(harness, env) });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    stdout: () => out,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          clearInterval(poll);
          reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms; stdout so far:\n${out}`));
        }, timeoutMs);
        const poll = setInterval(() => {
          if (!pattern.test(out)) return;
          clearTimeout(timer);
          clearInterval(poll);
          resolve(out);
        }, 100);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}
