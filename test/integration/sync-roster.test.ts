import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { summarizeFailure } from '../../core/failure-summary';
import { inject } from 'vitest';
import { sha256Hex } from '../../core/checksum';
import type { SyncRosterResult } from '../../workflows/sync-roster';
import { exampleConfig } from '../support/example-config';
import { REPO_ROOT, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

const execFileAsync = promisify(execFile);

let harness: Harness;
let outputPath: string;

beforeAll(async () => {
  harness = await startHarness('sync-roster');
  outputPath = join(harness.dir, 'out', 'acme-people.csv');
});
afterAll(() => harness.close());

beforeEach(async () => {
  await rm(outputPath, { force: true });
  await mkdir(join(harness.dir, 'out'), { recursive: true });
  const config = exampleConfig();
  config.syncs[0]!.target.path = outputPath;
  await harness.writeConfig(config);
});

/** Starts syncRoster with exactly the argument the Web UI would send for this JSON text. */
async function startFromJson(json: string) {
  return harness.client.workflow.start('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `test-${Math.random().toString(36).slice(2)}`,
    args: [JSON.parse(json) as unknown],
  });
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  let cause = (err as WorkflowFailedError).cause;
  while (cause && !(cause instanceof ApplicationFailure)) cause = (cause as { cause?: Error }).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  // Its message as an operator is shown it: without the "Type: " the workflow's own failure leads with.
  const failure = cause as ApplicationFailure;
  return Object.assign(failure, { message: summarizeFailure(failure).message });
}

describe('syncRoster end to end through a real worker', () => {
  it('renders the expected CSV, delivers it and records the run', async () => {
    const handle = await startFromJson('{"syncId": "acme-people"}');
    const result = (await handle.result()) as SyncRosterResult;

    const delivered = await readFile(outputPath);
    const golden = await readFile(join(REPO_ROOT, 'test', 'golden', 'csv-file', 'acme-people.csv'));
    expect(delivered.equals(golden)).toBe(true);
    expect(result).toMatchObject({ syncId: 'acme-people', pulled: 10, rejected: 0, rendered: 9, dryRun: false });
    const checksum = sha256Hex(delivered);
    expect(result.artifacts).toEqual([{ fileName: 'acme-people.csv', checksum, rows: 9 }]);

    const run = await harness.store.runs.get(handle.firstExecutionRunId);
    expect(run).toMatchObject({
      syncId: 'acme-people',
      workflowId: handle.workflowId,
      trigger: 'manual',
      status: 'succeeded',
      counts: { pulled: 10, rejected: 0, rendered: 9, filteredOut: 1 },
      artifacts: [{ fileName: 'acme-people.csv', checksum, bytes: delivered.length, rows: 9 }],
      delivery: { target: 'csv-file', location: outputPath },
    });
    expect(Object.keys(run!.steps)).toEqual(['resolve', 'build', 'deliver']);
    for (const step of Object.values(run!.steps)) {
      expect(step).toMatchObject({ status: 'succeeded', attempt: 1 });
      expect(step.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(run!.durationMs).toBeGreaterThan(0);
  });

  it('keeps employee data out of workflow history (claim check)', async () => {
    const handle = await startFromJson('{"syncId": "acme-people"}');
    await handle.result();
    const history = JSON.stringify(await handle.fetchHistory());
    const payloads = Buffer.from(history).toString('utf8');
    // Payload data is base64 in the history JSON; decode every data field before looking.
    const decoded = [...payloads.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)]
      .map((match) => Buffer.from(match[1]!, 'base64').toString('utf8'))
      .join('\n');
    expect(decoded).toContain('acme-people');
    for (const secret of ['ada.lovelace@acme.example', 'Lovelace', 'Hopper', 'Engineering']) {
      expect(decoded).not.toContain(secret);
      expect(history).not.toContain(secret);
    }
  });

  it('runs from `temporal workflow start --input` with the JSON the Web UI sends', async () => {
    const workflowId = `cli-json-${Date.now()}`;
    await execFileAsync(inject('temporalCliPath'), [
      'workflow',
      'start',
      '--address',
      harness.temporalAddress,
      '--namespace',
      harness.namespace,
      '--task-queue',
      harness.taskQueue,
      '--type',
      'syncRoster',
      '--workflow-id',
      workflowId,
      '--input',
      '{"syncId":"acme-people"}',
    ]);
    const result = (await harness.client.workflow.getHandle(workflowId).result()) as SyncRosterResult;
    expect(result.rendered).toBe(9);
    const run = await harness.store.runs.get(result.runId);
    expect(run).toMatchObject({ trigger: 'manual', status: 'succeeded' });
  });

  it('renders but delivers nothing on a dry run', async () => {
    const handle = await startFromJson('{"syncId": "acme-people", "dryRun": true}');
    const result = (await handle.result()) as SyncRosterResult;
    expect(result.delivered).toBeNull();
    expect(result.rendered).toBe(9);
    await expect(stat(outputPath)).rejects.toMatchObject({ code: 'ENOENT' });
    const run = await harness.store.runs.get(handle.firstExecutionRunId);
    expect(run).toMatchObject({ dryRun: true, status: 'succeeded' });
    expect(run!.steps.deliver).toBeUndefined();
  });

  it('rejects input without a syncId with a message naming the field', async () => {
    const handle = await startFromJson('{"syncID": "acme-people"}');
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toContain('syncId: is required');
    expect(failure.message).toContain('syncID');
  });

  it('fails a run on a bad config file with a message naming the field, and records it', async () => {
    const config = exampleConfig();
    config.syncs[0]!.target['columns'] = [{ header: 'Email', field: 'workMail' }];
    await harness.writeConfig(config);
    const handle = await startFromJson('{"syncId": "acme-people"}');
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('InvalidConfig');
    expect(failure.message).toContain('syncs[0] "acme-people".target.columns[0].field');
    const run = await harness.store.runs.get(handle.firstExecutionRunId);
    expect(run).toMatchObject({
      status: 'failed',
      error: { type: 'InvalidConfig' },
      steps: { resolve: { status: 'failed' } },
    });
  });

  it('fails an unknown sync id, naming the syncs the config has', async () => {
    const handle = await startFromJson('{"syncId": "nope"}');
    const failure = await failureOf(handle.result());
    expect(failure.type).toBe('UnknownSync');
    expect(failure.message).toContain('acme-people');
  });

  describe('with bad rows in the source', () => {
    beforeEach(async () => {
      const data = await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8');
      const bad = [
        '2001,E-101,No,Email,,not-an-email,Active,2020-01-01,,Tester,QA,Remote,,QA',
        '2002,E-102,Odd,Status,,odd.status@acme.example,Sabbatical,2020-01-01,,Tester,QA,Remote,,QA',
      ];
      await writeFile(join(harness.dataDir, 'bad.csv'), `${data}${bad.join('\n')}\n`);
    });

    it('stops before delivery by default and records each rejected row by line and field', async () => {
      const config = exampleConfig();
      config.syncs[0]!.target.path = outputPath;
      config.syncs[0]!.source.path = 'data/bad.csv';
      await harness.writeConfig(config);
      const handle = await startFromJson('{"syncId": "acme-people"}');
      const failure = await failureOf(handle.result());
      expect(failure.type).toBe('RowsRejected');
      await expect(stat(outputPath)).rejects.toMatchObject({ code: 'ENOENT' });
      const run = await harness.store.runs.get(handle.firstExecutionRunId);
      expect(run!.rejections).toEqual([
        { row: 'line 12', field: 'Work Email', reason: 'is not a valid email address' },
        { row: 'line 13', field: 'Status', reason: 'is not a known status word' },
      ]);
      expect(JSON.stringify(run)).not.toContain('not-an-email');
    });

    it('leaves the rejected rows out when the sync says skip', async () => {
      const config = exampleConfig();
      config.syncs[0]!.target.path = outputPath;
      config.syncs[0]!.source.path = 'data/bad.csv';
      config.syncs[0]!.onRejectedRows = 'skip';
      await harness.writeConfig(config);
      const result = (await (await startFromJson('{"syncId": "acme-people"}')).result()) as SyncRosterResult;
      expect(result).toMatchObject({ pulled: 10, rejected: 2, rendered: 9 });
      const golden = await readFile(join(REPO_ROOT, 'test', 'golden', 'csv-file', 'acme-people.csv'));
      expect((await readFile(outputPath)).equals(golden)).toBe(true);
    });
  });

  it('delivers nothing when no employee passes the target filter, so nobody is deactivated', async () => {
    const config = exampleConfig();
    config.syncs[0]!.target.path = outputPath;
    config.syncs[0]!.target['statuses'] = ['pending'];
    config.syncs[0]!.source['statusMap'] = { pending: 'active' };
    await harness.writeConfig(config);
    await writeFile(outputPath, 'previous delivery\n');
    const failure = await failureOf((await startFromJson('{"syncId": "acme-people"}')).result());
    expect(failure.type).toBe('NothingToDeliver');
    expect(failure.message).toBe(
      "None of the 10 pulled employees made it into the target's files (10 left out by its status filter, 0 rejected by its checks); nothing was delivered",
    );
    expect(await readFile(outputPath, 'utf8')).toBe('previous delivery\n');
  });

  it('delivers nothing when the source is empty, so nobody is deactivated', async () => {
    const example = await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8');
    await writeFile(join(harness.dataDir, 'empty.csv'), example.slice(0, example.indexOf('\n') + 1));
    const config = exampleConfig();
    config.syncs[0]!.target.path = outputPath;
    config.syncs[0]!.source.path = 'data/empty.csv';
    await harness.writeConfig(config);
    await writeFile(outputPath, 'previous delivery\n');
    const failure = await failureOf((await startFromJson('{"syncId": "acme-people"}')).result());
    expect(failure.type).toBe('SourceEmpty');
    expect(await readFile(outputPath, 'utf8')).toBe('previous delivery\n');
  });
});
