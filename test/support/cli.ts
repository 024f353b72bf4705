import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './harness';
import type { Harness } from './harness';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/rosterflow the way an operator would, pointed at the harness's stack through the environment. */
export function runCli(harness: Harness, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      join(REPO_ROOT, 'bin', 'rosterflow'),
      args,
      {
        cwd: harness.dir,
        timeout: 120_000,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: harness.temporalAddress,
          MONGODB_URI: harness.mongoUri,
          ROSTERFLOW_DB: harness.dbName,
          ROSTERFLOW_TASK_QUEUE: harness.taskQueue,
          ROSTERFLOW_CONFIG: harness.configPath,
          TEMPORAL_NAMESPACE: harness.namespace,
          ...env,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
