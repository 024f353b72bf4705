import { execFile, spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { exampleConfig } from '../support/example-config';
import { REPO_ROOT } from '../support/harness';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `rosterflow config check` as a user runs it in `cwd`, with none of the test run's config settings. */
function configCheck(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(ROSTERFLOW_|VITEST)/.test(name) && name !== 'HIBOB_SERVICE_USER_TOKEN',
    ),
  );
  return new Promise((done) => {
    execFile(
      join(REPO_ROOT, 'bin', 'rosterflow'),
      [...args, 'config', 'check'],
      { cwd, env: { ...base, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rosterflow-config-cli-'));
  await cp(join(REPO_ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A folder of its own with the example config, optionally also ./rosterflow.yaml and a dev record. */
async function folder(name: string, options: { local?: boolean; devPid?: number } = {}): Promise<string> {
  const cwd = join(dir, name);
  await mkdir(join(cwd, '.rosterflow'), { recursive: true });
  await cp(join(dir, 'examples'), join(cwd, 'examples'), { recursive: true });
  if (options.local)
    await writeFile(join(cwd, 'rosterflow.yaml'), await readFile(join(cwd, 'examples', 'rosterflow.yaml')));
  if (options.devPid !== undefined) {
    const record = { pid: options.devPid, configPath: join(cwd, 'examples', 'rosterflow.yaml') };
    await writeFile(join(cwd, '.rosterflow', 'dev.json'), JSON.stringify(record));
  }
  return cwd;
}

const validLine = (path: string) => `${path} is valid: 2 sync(s)`;

describe('rosterflow config check finds the config the way every command does', () => {
  it('names every place it looked and suggests --config when there is no config', async () => {
    const cwd = await folder('none');
    const result = await configCheck(cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No config file found');
    expect(result.stderr).toContain(`${join(cwd, 'rosterflow.yaml')} does not exist`);
    expect(result.stderr).toContain(join(cwd, '.rosterflow', 'dev.json'));
    expect(result.stderr).toContain('pass --config <path>');
    expect(result.stderr).not.toContain('    at ');
  });

  it('uses the config a running `rosterflow dev` recorded, and ignores one left by a process that is gone', async () => {
    // This test's own process stands in for a running dev; `true` for one that has exited.
    const live = await folder('dev-live', { devPid: process.pid });
    const result = await configCheck(live);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(validLine(join(live, 'examples', 'rosterflow.yaml')));

    const gone = spawnSync('true').pid;
    const stale = await folder('dev-gone', { devPid: gone });
    expect((await configCheck(stale)).stderr).toContain('No config file found');
  });

  it('prefers --config, then ROSTERFLOW_CONFIG, then ./rosterflow.yaml, then the dev record', async () => {
    const cwd = await folder('all', { local: true, devPid: process.pid });
    const other = join(dir, 'examples', 'rosterflow.yaml');
    expect((await configCheck(cwd)).stdout).toContain(validLine(join(cwd, 'rosterflow.yaml')));
    expect((await configCheck(cwd, [], { ROSTERFLOW_CONFIG: other })).stdout).toContain(validLine(other));
    const explicit = await configCheck(cwd, ['--config', 'examples/rosterflow.yaml'], { ROSTERFLOW_CONFIG: other });
    expect(explicit.stdout).toContain(validLine(join(cwd, 'examples', 'rosterflow.yaml')));
  });
});

describe('rosterflow config check', () => {
  it('warns about secrets this shell does not set, and still exits 0', async () => {
    const cwd = await folder('secrets');
    const unset = await configCheck(cwd, ['--config', 'examples/rosterflow.yaml']);
    expect(unset.code).toBe(0);
    expect(unset.stderr).toBe(
      'warning: acme-hibob source.serviceUserToken: HIBOB_SERVICE_USER_TOKEN is not set in this shell; ' +
        'runs fail unless it is set where the worker runs\n',
    );
    const set = await configCheck(cwd, ['--config', 'examples/rosterflow.yaml'], {
      HIBOB_SERVICE_USER_TOKEN: 'a-token-for-the-test',
    });
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).not.toContain('a-token-for-the-test');
  });

  it('refuses a cron field out of range, naming the sync and the field in one sentence', async () => {
    const cwd = await folder('cron');
    const config = exampleConfig();
    config.syncs[0]!.schedule = { cron: '0 25 * * *' };
    await writeFile(join(cwd, 'rosterflow.yaml'), stringify(config));
    const result = await configCheck(cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'syncs[0] "acme-people".schedule.cron: must be a cron expression: its hour field "25" is not valid (allowed: 0-23',
    );
    expect(result.stderr).not.toContain('    at ');
  });
});
