import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import { HIBOB_TOKEN, HibobFake } from '../fakes/hibob/server';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
let hibob: HibobFake;

beforeAll(async () => {
  hibob = await HibobFake.start();
  // The example config reads the HiBob token from this variable; the worker runs in this process.
  process.env['HIBOB_SERVICE_USER_TOKEN'] = HIBOB_TOKEN;
  harness = await startHarness('sources');
  const config = exampleConfig();
  for (const sync of config.syncs) sync.target.path = join(harness.dir, 'out', `${sync.id}.csv`);
  config.syncs[1]!.source['baseUrl'] = hibob.baseUrl;
  await harness.writeConfig(config);
});
afterAll(async () => {
  await harness.close();
  await hibob.close();
  delete process.env['HIBOB_SERVICE_USER_TOKEN'];
});

const run = (syncId: string): Promise<SyncRosterResult> =>
  harness.client.workflow.execute<typeof syncRoster>('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `${syncId}-${Date.now()}`,
    args: [{ syncId }],
  });

const rowsOf = async (syncId: string) =>
  parse<Record<string, string>>(await readFile(join(harness.dir, 'out', `${syncId}.csv`)), { columns: true });

describe('the example config, one sync per source, end to end through the workflow', () => {
  it('delivers the CSV drop sync', async () => {
    const result = await run('acme-people');
    expect(result).toMatchObject({ pulled: 10, rejected: 0, rendered: 9 });
    expect((await rowsOf('acme-people')).map((row) => row['Email'])).toContain('ada.lovelace@acme.example');
  });

  it('delivers the HiBob sync, leavers left out by the target, custom field mapped', async () => {
    hibob.seed(14);
    hibob.custom.set(hibob.people[0]!.id, { team: 'Platform' });
    const result = await run('acme-hibob');
    const expected = hibob.people.filter((person) => person.status !== 'inactive');
    expect(result).toMatchObject({ pulled: 14, rejected: 0, rendered: expected.length });
    const rows = await rowsOf('acme-hibob');
    expect(rows.map((row) => row['Email'])).toEqual(expected.map((person) => person.email));
    expect(rows[0]).toMatchObject({ 'First Name': hibob.people[0]!.firstName, Team: 'Platform', Status: 'active' });

    const record = await harness.store.runs.get(result.runId);
    expect(record).toMatchObject({ sourceType: 'hibob', status: 'succeeded' });
  });

  it('fails a HiBob run with wrong credentials at once, with the vendor message and no retries', async () => {
    process.env['HIBOB_SERVICE_USER_TOKEN'] = 'not-the-token-42';
    try {
      const before = hibob.listingRequests();
      const error = await run('acme-hibob').then(
        () => undefined,
        (err: unknown) => err as Error & { cause?: { cause?: { type?: string; message?: string } } },
      );
      const failure = error?.cause?.cause;
      expect(failure).toMatchObject({ type: 'SourceAuthFailed' });
      expect(failure?.message).toMatch(/^HiBob: POST \/v1\/people\/search rejected the credentials \(HTTP 401\)/);
      expect(failure?.message).not.toContain('not-the-token-42');
      expect(hibob.listingRequests() - before).toBe(1);
    } finally {
      process.env['HIBOB_SERVICE_USER_TOKEN'] = HIBOB_TOKEN;
    }
  });
});
