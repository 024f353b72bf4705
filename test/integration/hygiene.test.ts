import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultLogger } from '@temporalio/worker';
import type { LogEntry } from '@temporalio/worker';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { syncRoster } from '../../workflows/sync-roster';
import { HIBOB_TOKEN, HibobFake } from '../fakes/hibob/server';
import { exampleConfig } from '../support/example-config';
import { REPO_ROOT, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

/** Every line the worker runtime logs, at every level, with its structured attributes. */
const logLines: string[] = [];
const captureLogs = new DefaultLogger('TRACE', (entry: LogEntry) => {
  logLines.push(
    JSON.stringify({ message: entry.message, meta: entry.meta }, (_key, value: unknown) =>
      typeof value === 'bigint' ? String(value) : value,
    ),
  );
});

const WRONG_TOKEN = 'hibob-wrong-token-5d1e9a';
let harness: Harness;
let hibob: HibobFake;
let pii: string[];

beforeAll(async () => {
  hibob = await HibobFake.start();
  process.env['HIBOB_SERVICE_USER_TOKEN'] = WRONG_TOKEN;
  harness = await startHarness('hygiene', { logger: captureLogs });
  const config = exampleConfig();
  for (const sync of config.syncs) sync.target.path = join(harness.dir, 'out', `${sync.id}.csv`);
  config.syncs[1]!.source['baseUrl'] = hibob.baseUrl;
  await harness.writeConfig(config);

  // The personal data of the example roster: names and addresses, plus a bad row's value.
  const rows = parse<Record<string, string>>(
    await readFile(join(REPO_ROOT, 'examples', 'data', 'acme-hr-export.csv')),
    {
      columns: true,
    },
  );
  // First names alone are too short to search for ("Grace" is in "shutdownGraceTime"); full names are not.
  pii = [
    ...rows.flatMap((row) => [`${row['First Name']!} ${row['Last Name']!}`, row['Last Name']!, row['Work Email']!]),
    'not-an-email',
  ];
});
afterAll(async () => {
  await harness.close();
  await hibob.close();
  delete process.env['HIBOB_SERVICE_USER_TOKEN'];
});

async function runToEnd(syncId: string) {
  const handle = await harness.client.workflow.start<typeof syncRoster>('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `${syncId}-${Date.now()}`,
    args: [{ syncId }],
  });
  await handle.result().catch(() => undefined);
  return handle;
}

/** Every payload's data, decoded: what the Temporal server stores for this run. */
function decodedPayloads(historyJson: string): string {
  return [...historyJson.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)]
    .map((match) => Buffer.from(match[1]!, 'base64').toString('utf8'))
    .join('\n');
}

describe('no employee data or secret in Temporal history, search attributes, memo or worker logs', () => {
  it('holds for a good run, a run with rejected rows, a run refused by the vendor and a held, approved run', async () => {
    const handles = [await runToEnd('acme-people')];

    const data = await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8');
    await writeFile(
      join(harness.dataDir, 'acme-hr-export.csv'),
      `${data}2001,E-101,Bad,Row,,not-an-email,Active,2020-01-01,,T,QA,Remote,,QA\n`,
    );
    handles.push(await runToEnd('acme-people'));
    handles.push(await runToEnd('acme-hibob'));

    // A run held by the shrink guard (3 of 10 people left) and approved: reasons, Web UI details and
    // the decision must be as clean as the rest.
    await writeFile(join(harness.dataDir, 'acme-hr-export.csv'), `${data.split('\n').slice(0, 4).join('\n')}\n`);
    const held = await harness.client.workflow.start<typeof syncRoster>('syncRoster', {
      taskQueue: harness.taskQueue,
      workflowId: `acme-people-held-${Date.now()}`,
      args: [{ syncId: 'acme-people' }],
    });
    let pending: unknown = null;
    for (let tries = 0; tries < 240 && !pending; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      pending = await held.query('hold');
    }
    expect(pending).not.toBeNull();
    await held.executeUpdate('decideHold', { args: [{ approve: true, by: 'ops-hygiene', reason: 'INC-1' }] });
    await held.result();
    handles.push(held);
    // The metadata query below really returns the Web UI's details for the held run.
    expect(JSON.stringify(await held.query('__temporal_workflow_metadata'))).toContain('approved');

    const outcomes = await Promise.all(handles.map(async (handle) => (await handle.describe()).status.name));
    expect(outcomes).toEqual(['COMPLETED', 'FAILED', 'FAILED', 'COMPLETED']);
    const logs = logLines.join('\n');
    // The failures were logged, so the check below looks at real failure output.
    expect(logs).toContain('RowsRejected');
    expect(logs).toContain('SourceAuthFailed');

    for (const handle of handles) {
      const description = await handle.describe();
      const visible = [
        JSON.stringify(await handle.fetchHistory()),
        decodedPayloads(JSON.stringify(await handle.fetchHistory())),
        JSON.stringify(description.memo ?? {}),
        JSON.stringify(description.raw.workflowExecutionInfo?.searchAttributes ?? {}),
        // What the Web UI shows as the workflow's current details (the hold's reasons).
        JSON.stringify(await handle.query('__temporal_workflow_metadata')),
      ].join('\n');
      for (const value of pii) expect(visible, value).not.toContain(value);
      for (const secret of [HIBOB_TOKEN, WRONG_TOKEN]) expect(visible).not.toContain(secret);
    }
    // Log attributes carry payloads too (activity inputs, in base64): decoded, they must be clean as well.
    const logsWithPayloads = `${logs}\n${decodedPayloads(logs)}`;
    expect(decodedPayloads(logs)).toContain('acme-people');
    for (const value of pii) expect(logsWithPayloads, value).not.toContain(value);
    for (const secret of [HIBOB_TOKEN, WRONG_TOKEN]) expect(logsWithPayloads).not.toContain(secret);
  });
});
