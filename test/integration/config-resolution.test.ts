import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/harness';

/**
 * The README's first hour: `npm run demo` (= `rosterflow dev`) in a clone, and in a second terminal,
 * from the same folder and with nothing set, every command the README suggests.
 */
const CLI = join(REPO_ROOT, 'bin', 'rosterflow');
let clone: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  clone = await mkdtemp(join(tmpdir(), 'rosterflow-readme-'));
  await cp(join(REPO_ROOT, 'examples'), join(clone, 'examples'), { recursive: true });
  // None of the test run's settings: the commands find everything from the folder alone.
  env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(ROSTERFLOW_|TEMPORAL_|MONGODB_URI$|VITEST)/.test(name)),
  );
});
afterAll(() => rm(clone, { recursive: true, force: true }));

function command(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(CLI, args, { cwd: clone, env, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('while `rosterflow dev` runs, the README commands work as written from the same folder', () => {
  it('config check, schedules apply, history, history --run, run --dry-run, holds, and a second worker', async () => {
    const dev = spawn(CLI, ['dev', '--random-ports'], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('press Ctrl-C')) resolve();
      };
      dev.stdout.on('data', onData);
      dev.stderr.on('data', onData);
      dev.on('exit', (code) => reject(new Error(`dev exited (${code}) before it was ready:\n${output}`)));
    });
    try {
      await ready;
      expect(output).toContain('SUCCEEDED');
      const config = join(clone, 'examples', 'rosterflow.yaml');

      const check = await command(['config', 'check']);
      expect(check.stdout).toContain(`${config} is valid: 2 sync(s)`);
      expect(check.code).toBe(0);

      const apply = await command(['schedules', 'apply']);
      expect(apply.stderr).toBe('');
      expect(apply.stdout).toContain('unchanged     rosterflow-acme-people');
      expect(apply.code).toBe(0);

      const history = await command(['history', '--json']);
      expect(history.code).toBe(0);
      const [first] = JSON.parse(history.stdout) as { runId: string; syncId: string }[];
      expect(first?.syncId).toBe('acme-people');
      const detail = await command(['history', '--run', first!.runId]);
      expect(detail.code).toBe(0);
      expect(detail.stdout).toContain(first!.runId);

      const dryRun = await command(['run', 'acme-people', '--dry-run']);
      expect(dryRun.stdout).toContain('SUCCEEDED');
      expect(dryRun.code).toBe(0);

      const holds = await command(['holds']);
      expect(holds.code).toBe(0);

      // A second worker started here (`npm run worker`) serves the same file.
      const worker = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'worker', 'main.ts')], {
        cwd: clone,
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let workerOutput = '';
      worker.stdout.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
      const [workerCode] = (await Promise.race([
        once(worker, 'exit'),
        new Promise((resolve) => {
          worker.stdout.on('data', () => {
            if (workerOutput.includes('rosterflow worker:')) resolve(['started']);
          });
        }),
      ])) as [number | string | null];
      worker.kill('SIGTERM');
      expect(workerCode).toBe('started');
      expect(workerOutput).toContain(`rosterflow worker: task queue rosterflow, config ${config}`);
      await once(worker, 'exit');

      const exited = once(dev, 'exit');
      dev.kill('SIGINT');
      await exited;
      // Once dev has stopped, its record is gone and the commands say where they looked.
      await expect(access(join(clone, '.rosterflow', 'dev.json'))).rejects.toMatchObject({ code: 'ENOENT' });
      const after = await command(['config', 'check']);
      expect(after.code).toBe(1);
      expect(after.stderr).toContain('pass --config <path>');
    } finally {
      dev.kill('SIGKILL');
    }
  }, 240_000);
});
