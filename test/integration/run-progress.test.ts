import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HIBOB_TOKEN, HibobFake } from '../fakes/hibob/server';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { runCli, spawnCli } from '../support/cli';

/** `rosterflow run` as a child process: what it says while a run goes on (issue 9, item 11). */
let harness: Harness;
let hibob: HibobFake;

beforeAll(async () => {
  hibob = await HibobFake.start();
  // The example config reads the HiBob token from this variable; the worker runs in this process.
  process.env['HIBOB_SERVICE_USER_TOKEN'] = HIBOB_TOKEN;
  harness = await startHarness('cli');
  const config = exampleConfig();
  config.syncs.find((sync) => sync.id === 'acme-hibob')!.source['baseUrl'] = hibob.baseUrl;
  await harness.writeConfig(config);
});
afterAll(async () => {
  await harness.close();
  await hibob.close();
  delete process.env['HIBOB_SERVICE_USER_TOKEN'];
});

describe('rosterflow run prints what is happening', () => {
  it("prints each step's start and end, then the outcome's counts", async () => {
    const run = await runCli(harness, ['run', 'acme-people']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const order = [
      /^ {2}resolve started$/,
      /^ {2}resolve finished in [\d.]+ s$/,
      /^ {2}extract started$/,
      /^ {2}extract finished in [\d.]+ s: 10 employees, 0 rows rejected$/,
      /^ {2}render started$/,
      /^ {2}render finished in [\d.]+ s: 9 rendered, 1 left out by the target's status filter, 0 rejected by its checks$/,
      /^ {2}plan: 10 employees, 9 employed; /,
      /^ {2}deliver started$/,
      /^ {2}deliver finished in [\d.]+ s$/,
      /^SUCCEEDED: 10 pulled: 9 delivered, 1 left out by the target's status filter$/,
    ].map(at);
    expect(order, run.stdout).not.toContain(-1);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('prints each failed attempt of a step with its reason and when it is retried', async () => {
    hibob.seed(6);
    // HiBob answers one 500 (the HTTP layer leaves a 500 to the step's retries): attempt 1 fails, attempt 2 succeeds.
    hibob.http.injectFault({
      times: 1,
      path: /people\/search/,
      response: { status: 500, json: { error: 'internal' } },
    });
    const run = await runCli(harness, ['run', 'acme-hibob']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^ {2}extract attempt 1 of 8 failed: SourceUnavailable: HiBob: POST \/v1\/people\/search [^\n]*HTTP 500[^\n]*; retrying in 5 s$/m,
    );
    expect(run.stdout).toMatch(/^ {2}extract attempt 2 started$/m);
    expect(run.stdout).toMatch(/^SUCCEEDED: 6 pulled: /m);
  }, 60_000);

  it('says within 15 s that no worker polls the task queue, and how to start one', async () => {
    const taskQueue = `nobody-polls-${randomUUID().slice(0, 8)}`;
    const cli = spawnCli(harness, ['run', 'acme-people'], { ROSTERFLOW_TASK_QUEUE: taskQueue });
    try {
      const started = Date.now();
      const out = await cli.waitFor(/no worker has polled task queue/, 15_000);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(out).toContain(`no worker has polled task queue "${taskQueue}"`);
      expect(out).toContain('`npm run worker`');
      expect(out).toContain(`ROSTERFLOW_TASK_QUEUE=${taskQueue}`);
      expect(out).toContain('`./bin/rosterflow dev`');
    } finally {
      await cli.stop();
      const workflowId = /started (\S+) \(run/.exec(cli.stdout())?.[1];
      if (workflowId) await harness.client.workflow.getHandle(workflowId).terminate('test over');
    }
  }, 30_000);
});
