import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLSTACKS_ORG_ID, ALLSTACKS_PASSWORD, ALLSTACKS_USERNAME, AllstacksFake } from '../fakes/allstacks/server';
import { HIBOB_TOKEN, HibobFake } from '../fakes/hibob/server';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../fakes/staffbase/server';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { runCli, spawnCli } from '../support/cli';

/** `rosterflow run` as a child process: what it says while a run goes on (issue 9, item 11). */
let harness: Harness;
let hibob: HibobFake;
let allstacks: AllstacksFake;
let staffbase: StaffbaseFake;

beforeAll(async () => {
  hibob = await HibobFake.start();
  allstacks = await AllstacksFake.start();
  process.env['ALLSTACKS_TEST_PASSWORD'] = ALLSTACKS_PASSWORD;
  staffbase = await StaffbaseFake.start({ autoAdvanceOnPoll: true });
  process.env['STAFFBASE_TEST_TOKEN'] = STAFFBASE_TOKEN;
  // The example config reads the HiBob token from this variable; the worker runs in this process.
  process.env['HIBOB_SERVICE_USER_TOKEN'] = HIBOB_TOKEN;
  harness = await startHarness('cli');
  const config = exampleConfig();
  config.syncs.find((sync) => sync.id === 'acme-hibob')!.source['baseUrl'] = hibob.baseUrl;
  // Two syncs to one Allstacks organisation: they share its upload lock.
  const allstacksTarget = {
    type: 'allstacks',
    baseUrl: allstacks.baseUrl,
    organizationId: ALLSTACKS_ORG_ID,
    username: ALLSTACKS_USERNAME,
    password: { env: 'ALLSTACKS_TEST_PASSWORD' },
    tags: [{ category: 'Team', field: 'customFields.team' }],
    uploadWindowSeconds: 3,
  };
  for (const id of ['acme-allstacks', 'acme-allstacks-2']) {
    config.syncs.push({ id, source: config.syncs[0]!.source, target: allstacksTarget as never });
  }
  const staffbaseTarget = {
    type: 'staffbase',
    baseUrl: staffbase.baseUrl,
    apiToken: { env: 'STAFFBASE_TEST_TOKEN' },
    polling: { initialInterval: '1s', maxInterval: '1s', timeout: '1m' },
  };
  config.syncs.push({ id: 'acme-staffbase', source: config.syncs[0]!.source, target: staffbaseTarget as never });
  await harness.writeConfig(config);
});
afterAll(async () => {
  await harness.close();
  await hibob.close();
  await allstacks.close();
  await staffbase.close();
  delete process.env['HIBOB_SERVICE_USER_TOKEN'];
  delete process.env['ALLSTACKS_TEST_PASSWORD'];
  delete process.env['STAFFBASE_TEST_TOKEN'];
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
      /^ {2}resolve finished in [\d.]+ m?s$/,
      /^ {2}build started$/,
      /^ {2}build finished in [\d.]+ m?s: 10 employees pulled, 0 rows rejected; 9 rendered, 1 left out by the target's status filter, 0 rejected by its checks$/,
      /^ {2}plan: 10 employees, 9 employed; /,
      /^ {2}deliver started$/,
      /^ {2}deliver finished in [\d.]+ m?s$/,
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
      /^ {2}build attempt 1 of 8 failed: SourceUnavailable: HiBob: POST \/v1\/people\/search [^\n]*HTTP 500[^\n]*; retrying in 5 s$/m,
    );
    expect(run.stdout).toMatch(/^ {2}build attempt 2 started$/m);
    expect(run.stdout).toMatch(/^SUCCEEDED: 6 pulled: /m);
  }, 60_000);

  it('prints each durable wait: a rate limit with when it ends, and a turn at the upload lock', async () => {
    allstacks.realClock = true;
    allstacks.windowSeconds = 3;
    allstacks.http.injectFault({
      times: 1,
      path: /upload_employee_tags$/,
      response: { status: 429, headers: { 'retry-after': '2' }, json: { detail: 'Request was throttled.' } },
    });
    const [first, second] = await Promise.all([
      runCli(harness, ['run', 'acme-allstacks']),
      runCli(harness, ['run', 'acme-allstacks-2']),
    ]);
    const both = first.stdout + second.stdout;
    expect([first.code, second.code], both).toEqual([0, 0]);
    expect(both).toMatch(
      /^ {2}deliver: Allstacks answered HTTP 429 \(attempt 1\); waiting 2s on a durable timer \(until \d\d:\d\d:\d\d UTC\)$/m,
    );
    // Whichever came second waited for the first's upload and the organisation's window.
    expect(both).toMatch(
      /^ {2}deliver: waiting for the upload lock of allstacks:\S+ \(one upload at a time, at least 3s apart\)$/m,
    );
  }, 60_000);

  it("prints the Staffbase import's states as the polls see them", async () => {
    const run = await runCli(harness, ['run', 'acme-staffbase']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const states = [...run.stdout.matchAll(/^ {2}deliver: staffbase import (\S+) is ([A-Z_]+)$/gm)];
    expect(new Set(states.map((match) => match[1])).size).toBe(1);
    expect(states.map((match) => match[2])).toEqual(
      expect.arrayContaining(['DRAFT', 'PREVIEW_READY', 'IMPORTING', 'COMPLETED']),
    );
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
