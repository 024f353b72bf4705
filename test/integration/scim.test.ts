import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import { runCli } from '../support/cli';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { OAuth2TokenServer } from '../fakes/oauth2/token-server';
import { ScimFaultProxy } from '../support/scim-fault-proxy';
import { startScimServer } from '../support/scim-server';
import type { ScimServer } from '../support/scim-server';

/*
 * The SCIM target end to end: the example HR export provisioned through a real worker into a real
 * SCIM server (scim2-server from PyPI), behind a proxy that records every request and spoils some.
 * Each test gets a fresh server, so the app's users are only what the test put there.
 */

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const HEADER =
  'Employee ID,Employee #,First Name,Last Name,Preferred Name,Work Email,Status,Hire Date,Termination Date,Job Title,Department,Location,Manager ID,Team';

let harness: Harness;
let server: ScimServer;
let proxy: ScimFaultProxy;

interface AppUser {
  id: string;
  externalId?: string;
  userName: string;
  active: boolean;
  title?: string;
  emails?: { type: string; value: string }[];
  [ENTERPRISE]?: { department?: string; employeeNumber?: string; manager?: { value: string } };
}

/** The app's users, read straight from the server (not through the proxy, so nothing is recorded). */
async function appUsers(): Promise<AppUser[]> {
  const response = await fetch(`${server.url}/Users?count=1000`, {
    headers: { authorization: `Bearer ${server.bearerToken}` },
  });
  return ((await response.json()) as { Resources?: AppUser[] }).Resources ?? [];
}
const byExternalId = async () =>
  new Map((await appUsers()).map((user) => [user.externalId ?? `(none) ${user.userName}`, user]));

async function addAppUser(user: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${server.url}/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.bearerToken}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...user }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

function scimConfig(
  options: { source?: string; target?: Record<string, unknown>; safety?: Record<string, unknown> } = {},
) {
  const config = exampleConfig();
  const base = config.syncs[0]!;
  config.syncs = [
    {
      id: 'acme-scim',
      source: { ...base.source, path: options.source ?? 'data/acme-hr-export.csv' },
      target: {
        type: 'scim',
        baseUrl: proxy.url,
        auth: { bearerToken: { env: 'SCIM_TEST_TOKEN' } },
        requestTimeout: '3s',
        ...options.target,
      } as never,
      ...(options.safety ? { safety: options.safety } : {}),
    },
  ];
  return config;
}

/** The example export with some rows changed or dropped (by Employee ID). */
async function writeExport(name: string, edit: (rows: Map<string, string[]>) => void): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8');
  const rows = new Map<string, string[]>();
  for (const line of text.trim().split('\n').slice(1)) rows.set(line.split(',')[0]!, line.split(','));
  edit(rows);
  await writeFile(
    join(harness.dataDir, name),
    [HEADER, ...[...rows.values()].map((row) => row.join(','))].join('\n') + '\n',
  );
  return `data/${name}`;
}

const start = (): Promise<WorkflowHandleWithFirstExecutionRunId<typeof syncRoster>> =>
  harness.client.workflow.start<typeof syncRoster>('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `acme-scim-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
    args: [{ syncId: 'acme-scim' }],
  });
const run = async (): Promise<SyncRosterResult> => (await start()).result();
const record = async (runId: string) => (await harness.store.runs.get(runId))!;
const writesBy = (method: string) => proxy.writes().filter((request) => request.method === method);

beforeAll(async () => {
  harness = await startHarness('scim');
});
afterAll(async () => {
  await proxy?.close();
  await server?.stop();
  await harness.close();
  delete process.env['SCIM_TEST_TOKEN'];
});
beforeEach(async () => {
  await proxy?.close();
  await server?.stop();
  server = await startScimServer();
  proxy = await ScimFaultProxy.start(server.url);
  process.env['SCIM_TEST_TOKEN'] = server.bearerToken;
});

describe('SCIM provisioning through the workflow', () => {
  it('creates the employed people with their enterprise fields and managers, then sends nothing when nothing changed', async () => {
    await harness.writeConfig(scimConfig());
    const first = await run();
    expect(first.status).toBe('succeeded');
    expect(first.delivered?.target).toBe('scim');

    const users = await byExternalId();
    // 8 employed (active or on leave); the leaver (1004) and the pending hire (1007) get no account.
    expect([...users.keys()].sort()).toEqual(['1001', '1002', '1003', '1005', '1006', '1008', '1009', '1010']);
    const grace = users.get('1002')!;
    expect(grace.userName).toBe('grace.hopper@acme.example');
    expect(grace.active).toBe(true);
    expect(grace.emails).toEqual([expect.objectContaining({ type: 'work', value: 'grace.hopper@acme.example' })]);
    expect(grace[ENTERPRISE]).toEqual(expect.objectContaining({ employeeNumber: 'E-002', department: 'Engineering' }));
    expect(grace[ENTERPRISE]?.manager?.value).toBe(users.get('1001')!.id);
    expect(users.get('1009')![ENTERPRISE]?.manager?.value).toBe(users.get('1006')!.id);
    expect(writesBy('POST')).toHaveLength(8);
    expect((await record(first.runId)).delivery?.result).toEqual({ created: 8, unchanged: 2 });

    proxy.reset();
    const second = await run();
    expect(second.status).toBe('succeeded');
    expect(proxy.writes()).toEqual([]);
    expect((await record(second.runId)).delivery?.result).toEqual({ unchanged: 10 });
  });

  it('matches by externalId: an email change updates the same user, only changed attributes are patched, leavers and people gone from the source are deactivated, and users it does not manage are left alone', async () => {
    const stranger = await addAppUser({ userName: 'contractor@acme.example', active: true });
    const foreign = await addAppUser({ userName: 'other-directory@acme.example', externalId: 'X-1', active: true });
    await harness.writeConfig(scimConfig());
    await run();
    const before = await byExternalId();

    const changed = await writeExport('scim-changes.csv', (rows) => {
      rows.get('1002')![5] = 'grace.brewster@acme.example'; // a new address (and userName)
      rows.get('1008')![10] = 'Research'; // a new department
      rows.get('1005')![6] = 'Terminated'; // a leaver
      rows.get('1005')![8] = '2026-11-30';
      rows.delete('1010'); // gone from the source
    });
    await harness.writeConfig(
      scimConfig({
        source: changed,
        safety: { maxShrinkPercent: 50 },
        target: { safety: { maxDeactivationPercent: 50 } },
      }),
    );
    proxy.reset();
    const result = await run();
    expect(result.status).toBe('succeeded');

    const after = await byExternalId();
    expect(after.get('1002')!.id).toBe(before.get('1002')!.id);
    expect(after.get('1002')!.userName).toBe('grace.brewster@acme.example');
    expect(after.get('1008')![ENTERPRISE]?.department).toBe('Research');
    expect(after.get('1005')!.active).toBe(false);
    expect(after.get('1010')!.active).toBe(false);
    expect(after.get('1001')!.active).toBe(true);
    expect(writesBy('POST')).toEqual([]);
    const patches = writesBy('PATCH').map((request) => ({
      id: request.path.split('/').at(-1),
      paths: (request.body as { Operations: { path: string }[] }).Operations.map((operation) => operation.path).sort(),
    }));
    expect(patches).toEqual(
      expect.arrayContaining([
        { id: before.get('1002')!.id, paths: ['emails[type eq "work"].value', 'userName'] },
        { id: before.get('1008')!.id, paths: [`${ENTERPRISE}:department`] },
        { id: before.get('1005')!.id, paths: ['active'] },
        { id: before.get('1010')!.id, paths: ['active'] },
      ]),
    );
    expect(patches).toHaveLength(4);
    // Neither the hand-made user nor another directory's user was touched.
    for (const id of [stranger, foreign])
      expect(proxy.writes().some((request) => request.path.endsWith(id))).toBe(false);
    const users = await appUsers();
    expect(users.find((user) => user.id === stranger)!.active).toBe(true);
    expect(users.find((user) => user.id === foreign)!.active).toBe(true);
    expect((await record(result.runId)).delivery?.result).toEqual({ updated: 2, deactivated: 2, unchanged: 6 });
  });

  it('holds a plan that would deactivate too many of its users, writes nothing until approved, then writes', async () => {
    await harness.writeConfig(scimConfig());
    await run();
    const leavers = await writeExport('scim-leavers.csv', (rows) => {
      for (const id of ['1002', '1003', '1005']) {
        rows.get(id)![6] = 'Terminated';
        rows.get(id)![8] = '2026-11-30';
      }
    });
    // The sync's own rules are out of the way: the target's limit (10% of its 8 users) is what trips.
    await harness.writeConfig(scimConfig({ source: leavers, safety: { maxDeactivationPercent: 100 } }));
    proxy.reset();
    const handle = await start();
    let hold: { reasons: string[] } | null = null;
    for (let tries = 0; tries < 240 && !hold; tries += 1) {
      hold = await handle.query<{ reasons: string[] } | null>('hold');
      if (!hold) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(hold?.reasons).toEqual([
      'The SCIM plan would deactivate or delete 3 of the 8 active users this sync manages in the app (37.5%), over the limit (10%)',
    ]);
    expect(proxy.writes()).toEqual([]);
    await handle.executeUpdate('decideHold', { args: [{ approve: true, by: 'hr-ops', reason: 'restructuring' }] });
    const result = await handle.result();
    expect(result.status).toBe('succeeded');
    expect(writesBy('PATCH')).toHaveLength(3);
    const users = await byExternalId();
    for (const id of ['1002', '1003', '1005']) expect(users.get(id)!.active).toBe(false);
  });

  it('waits out a 429 on a durable timer, and checks before writing again after a cut connection or an outage, so no one is written twice', async () => {
    await harness.writeConfig(scimConfig());
    proxy.inject('429', { method: 'POST', nth: 3, retryAfterSeconds: 2 });
    proxy.inject('cut-after-forward', { method: 'POST', nth: 5 });
    proxy.inject('503', { method: 'POST', nth: 7 });
    const result = await run();
    expect(result.status).toBe('succeeded');
    expect(proxy.pendingFaults()).toBe(0);

    // Every person is in the app exactly once, and each POST that reached the server was for someone new.
    const users = await appUsers();
    expect(users).toHaveLength(8);
    const posted = writesBy('POST').map((request) => (request.body as { externalId: string }).externalId);
    expect(new Set(posted).size).toBe(posted.length);
    expect(posted.sort()).toEqual(['1001', '1002', '1003', '1005', '1006', '1008', '1009', '1010']);
    const finished = await record(result.runId);
    const waited = (finished.events ?? []).filter((event) => event.kind === 'rate-limited');
    expect(waited).toHaveLength(1);
    expect(waited[0]!.detail).toMatch(/answered HTTP 429 after \d+ writes in this attempt; waiting 2s/);
    // The wait was a durable timer in the workflow's history, not a sleep inside an activity.
    const history = await harness.client.workflow.getHandle(finished.workflowId, result.runId).fetchHistory();
    expect(history.events?.some((event) => event.timerStartedEventAttributes)).toBe(true);
  });

  it("records each person the app refuses with the app's scimType, never values, and ends partial", async () => {
    // Someone else already holds Barbara's address as userName: the app refuses a second one.
    await addAppUser({ userName: 'barbara.liskov@acme.example', active: true });
    await harness.writeConfig(scimConfig());
    const result = await run();
    expect(result.status).toBe('partial');
    const run1 = await record(result.runId);
    expect(run1.delivery?.result).toEqual({ created: 7, failed: 1, unchanged: 2 });
    expect(run1.delivery?.refused).toEqual({
      vendor: 'SCIM',
      count: 1,
      codes: [{ code: 'uniqueness', rows: 1 }],
      rows: [{ externalId: '1008', code: 'uniqueness' }],
    });
    expect(JSON.stringify(run1)).not.toContain('barbara');

    const detail = await runCli(harness, ['history', '--run', result.runId]);
    expect(detail.code).toBe(0);
    expect(detail.stdout).toContain('1008');
    expect(detail.stdout).toContain('uniqueness');
    expect(detail.stdout).not.toContain('barbara');
  });

  it('authenticates with an OAuth2 client-credentials token, and fails in one sentence when the client is refused', async () => {
    const issuer = await OAuth2TokenServer.start({
      clientId: 'rosterflow',
      clientSecret: 's3cret-client',
      accessToken: server.bearerToken,
    });
    try {
      process.env['SCIM_TEST_CLIENT_SECRET'] = 's3cret-client';
      const oauth2 = {
        tokenUrl: issuer.tokenUrl,
        clientId: 'rosterflow',
        clientSecret: { env: 'SCIM_TEST_CLIENT_SECRET' },
      };
      await harness.writeConfig(scimConfig({ target: { auth: { oauth2 } } }));
      const result = await run();
      expect(result.status).toBe('succeeded');
      expect(await appUsers()).toHaveLength(8);
      // One token for the whole run: it is cached until shortly before it expires.
      expect(issuer.tokensIssued).toBe(1);

      process.env['SCIM_TEST_CLIENT_SECRET'] = 'wrong';
      const handle = await start();
      const failure = await handle.result().then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(failure).toBeDefined();
      const failed = await record(handle.firstExecutionRunId);
      expect(failed.status).toBe('failed');
      expect(failed.error?.type).toBe('TargetAuthFailed');
      expect(failed.error?.message).toContain('rejected the credentials (HTTP 401)');
      expect(failed.error?.message).not.toContain('wrong');
    } finally {
      delete process.env['SCIM_TEST_CLIENT_SECRET'];
      await issuer.close();
    }
  });

  it('deletes leavers only when configured to, and spaces its writes to the rate it is given', async () => {
    await harness.writeConfig(scimConfig({ target: { leavers: 'delete', writesPerMinute: 300 } }));
    const first = await run();
    // 8 creates at most 300 a minute: at least 7 gaps of 200 ms between them.
    expect((await record(first.runId)).steps.deliver?.durationMs).toBeGreaterThanOrEqual(1400);
    const before = await byExternalId();

    const leaver = await writeExport('scim-delete.csv', (rows) => {
      rows.get('1009')![6] = 'Terminated';
      rows.get('1009')![8] = '2026-11-30';
    });
    await harness.writeConfig(
      scimConfig({ source: leaver, target: { leavers: 'delete', safety: { maxDeactivationPercent: 50 } } }),
    );
    proxy.reset();
    const result = await run();
    expect(result.status).toBe('succeeded');
    expect(proxy.writes().map((request) => `${request.method} ${request.path}`)).toEqual([
      `DELETE /Users/${before.get('1009')!.id}`,
    ]);
    expect((await byExternalId()).has('1009')).toBe(false);
    expect((await record(result.runId)).delivery?.result).toEqual({ deleted: 1, unchanged: 9 });
  });

  it('keeps employee data out of workflow history', async () => {
    await harness.writeConfig(scimConfig());
    const handle = await start();
    await handle.result();
    const history = JSON.stringify(await handle.fetchHistory());
    for (const value of ['grace.hopper', 'Hopper', 'Engineering', 'E-002']) expect(history).not.toContain(value);
  });
});
