import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHttpServer } from '../fakes/support/fake-http';
import { createSecretResolver } from '../../io/secrets';
import { createScimHttpClient, listAllUsers } from '../../targets/scim/client';
import type { Employee } from '../../core/employee';
import { ENTERPRISE_USER_SCHEMA, MANAGER, WORK_EMAIL } from '../../targets/scim/attributes';
import type { ScimAttribute, ScimUser } from '../../targets/scim/attributes';
import { ScimTargetConfigSchema } from '../../targets/scim/config';
import { createScimLayouts } from '../../targets/scim/layout';
import { planScimDelivery } from '../../targets/scim/plan';
import type { DesiredUser } from '../../targets/scim/plan';
import { judgeScimPlan } from '../../targets/scim/safety';

const config = ScimTargetConfigSchema.parse({
  type: 'scim',
  baseUrl: 'https://app.example/scim/v2',
  auth: { bearerToken: { env: 'T' } },
});
const DEPARTMENT = `${ENTERPRISE_USER_SCHEMA}:department` as ScimAttribute;

function person(externalId: string, fields: Partial<Record<ScimAttribute, string>> = {}, active = true): DesiredUser {
  const values = new Map<ScimAttribute, string>([
    ['userName', `${externalId}@acme.example`],
    [WORK_EMAIL, `${externalId}@acme.example`],
    [DEPARTMENT, 'Engineering'],
    [MANAGER, ''],
  ]);
  for (const [attribute, value] of Object.entries(fields)) values.set(attribute as ScimAttribute, value);
  return { externalId, active, values };
}
function account(id: string, externalId: string | undefined, extra: Partial<ScimUser> = {}): ScimUser {
  return {
    id,
    ...(externalId === undefined ? {} : { externalId }),
    userName: `${externalId}@acme.example`,
    active: true,
    emails: [{ type: 'work', value: `${externalId}@acme.example` }],
    [ENTERPRISE_USER_SCHEMA]: { department: 'Engineering' },
    ...extra,
  };
}
const plan = (
  desired: DesiredUser[],
  appUsers: ScimUser[],
  managed = new Map<string, string>(),
  leavers: 'deactivate' | 'delete' = 'deactivate',
) => planScimDelivery({ desired, appUsers, managed, config: { attributes: config.attributes, leavers } });
const summary = (planned: ReturnType<typeof plan>) =>
  planned.items.map((item) => `${item.seq} ${item.action} ${item.key}${item.reason ? ` (${item.reason})` : ''}`);

describe('SCIM plan', () => {
  it('creates managers before their reports, whatever the file order, and names a new manager by HR id until the send', () => {
    const planned = plan([person('3', { [MANAGER]: '2' }), person('2', { [MANAGER]: '1' }), person('1')], []);
    expect(summary(planned)).toEqual(['1 create 1', '2 create 2', '3 create 3']);
    expect(planned.items[2]!.payload).toEqual(expect.objectContaining({ managerKey: '2' }));
    // A manager the app already has is written with the create itself.
    const known = plan([person('9', { [MANAGER]: '1' })], [account('app-1', '1')]);
    const resource = (known.items[0]!.payload as { resource: Record<string, unknown> }).resource;
    expect(resource[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Engineering', manager: { value: 'app-1' } });
  });

  it('patches only what differs, adds a work email the user lacks, and leaves an unchanged user alone', () => {
    const planned = plan(
      [person('1', { [DEPARTMENT]: 'Research' }), person('2'), person('3')],
      [account('a1', '1'), account('a2', '2'), account('a3', '3', { emails: [] })],
    );
    expect(summary(planned)).toEqual(['1 update 1', '2 update 3', '3 unchanged 2']);
    expect(planned.items[0]!.payload).toEqual({ operations: [{ op: 'replace', path: DEPARTMENT, value: 'Research' }] });
    expect(planned.items[1]!.payload).toEqual({
      operations: [{ op: 'add', path: 'emails', value: [{ type: 'work', value: '3@acme.example', primary: true }] }],
    });
  });

  it('treats a change of case in userName or email as no change (RFC 7643: caseExact false)', () => {
    const planned = plan([person('1', { userName: '1@ACME.example' })], [account('a1', '1')]);
    expect(summary(planned)).toEqual(['1 unchanged 1']);
  });

  it('deactivates leavers and managed people gone from the source, never users it does not manage', () => {
    const planned = plan(
      [person('1', {}, false), person('2')],
      [account('a1', '1'), account('a2', '2'), account('a3', '3'), account('a4', 'X-4'), account('a5', undefined)],
      new Map([['3', 'a3']]),
    );
    expect(summary(planned)).toEqual(['1 deactivate 1 (left)', '2 deactivate 3 (gone)', '3 unchanged 2']);
    expect(planned.activeManaged).toBe(3);
    expect(planned.matched).toEqual(
      new Map([
        ['1', 'a1'],
        ['2', 'a2'],
      ]),
    );
  });

  it('deletes instead when configured, reactivates a returning person, and leaves alone an account the app lost', () => {
    const planned = plan(
      [person('1', {}, false), person('2')],
      [account('a1', '1'), account('a2', '2', { active: false })],
      new Map([['7', 'gone-from-app']]),
      'delete',
    );
    expect(summary(planned)).toEqual(['1 update 2', '2 delete 1 (left)']);
    expect(planned.items[0]!.payload).toEqual({ operations: [{ op: 'replace', path: 'active', value: true }] });
  });

  it("never deactivates an account an admin moved to a rehire's new HR id, nor one now carrying another id", () => {
    // Ledger: 100 -> A (the old id) and 200 -> A (the rehire, matched last run); 300 -> C, since re-keyed to X-9.
    const planned = plan(
      [person('200')],
      [account('A', '200'), account('C', 'X-9')],
      new Map([
        ['100', 'A'],
        ['200', 'A'],
        ['300', 'C'],
      ]),
    );
    expect(summary(planned)).toEqual(['1 unchanged 200']);
    expect(planned.activeManaged).toBe(1);
    expect(planned.matched).toEqual(new Map());
  });

  it('keeps people missing from a roster that rejected rows (one of them may be a typo), but still deactivates leavers', () => {
    const planned = planScimDelivery({
      desired: [person('1', {}, false), person('2')],
      appUsers: [account('a1', '1'), account('a2', '2'), account('a3', '3')],
      managed: new Map([['3', 'a3']]),
      config: { attributes: config.attributes, leavers: 'deactivate' },
      keepMissing: true,
    });
    expect(summary(planned)).toEqual(['1 deactivate 1 (left)', '2 unchanged 2']);
    expect(planned.counts.deferred).toBe(1);
  });

  it("leaves a pending hire's existing account as it is", () => {
    const pending: DesiredUser = { ...person('1', { title: 'New title' }, false), pending: true };
    expect(summary(plan([pending], [account('a1', '1')]))).toEqual(['1 unchanged 1']);
  });

  it('refuses to guess between two users with the same externalId', () => {
    const planned = plan([person('1')], [account('a1', '1'), account('b1', '1')]);
    expect(planned.items).toEqual([
      expect.objectContaining({
        key: '1',
        state: 'failed',
        error: { message: 'the app has 2 users with this externalId, so none of them was changed' },
      }),
    ]);
    expect(planned.counts.ambiguous).toBe(1);
  });

  it('creates no account for a leaver or a pending hire the app does not have', () => {
    expect(summary(plan([person('1', {}, false)], []))).toEqual(['1 unchanged 1']);
  });
});

describe('SCIM safety', () => {
  it('trips on the share of its own active users it would deactivate, in a sentence of counts', () => {
    const counts = { create: 0, update: 0, deactivate: 2, delete: 1, unchanged: 7, ambiguous: 0, deferred: 0 };
    expect(judgeScimPlan({ counts, activeManaged: 10 }, { maxDeactivationPercent: 10 })).toBe(
      'The SCIM plan would deactivate or delete 3 of the 10 active users this sync manages in the app (30.0%), over the limit (10%)',
    );
    expect(judgeScimPlan({ counts, activeManaged: 10 }, { maxDeactivationPercent: 30 })).toBeUndefined();
    expect(judgeScimPlan({ counts, activeManaged: 10 }, { maxDeactivations: 2, maxDeactivationPercent: 100 })).toMatch(
      /over the limit \(2 users, 100%\)/,
    );
  });
});

describe('SCIM config and layout', () => {
  const issues = (input: Record<string, unknown>) =>
    ScimTargetConfigSchema.safeParse({
      type: 'scim',
      baseUrl: 'https://app.example/scim/v2',
      auth: { bearerToken: { env: 'T' } },
      ...input,
    }).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

  it('answers a bad setting in one sentence naming it', () => {
    expect(issues({ baseUrl: 'http://app.example/scim' })).toEqual([
      'baseUrl: must be https (or http on a loopback address)',
    ]);
    expect(issues({ attributes: [{ attribute: 'title', field: 'jobTitle' }] })).toEqual([
      'attributes: must map userName (SCIM requires it)',
    ]);
    expect(
      issues({
        attributes: [
          { attribute: 'userName', field: 'workEmail' },
          { attribute: 'userName', field: 'personalEmail' },
        ],
      }),
    ).toEqual(['attributes.1.attribute: is mapped twice']);
    expect(issues({ attributes: [{ attribute: 'name.given', field: 'firstName' }] })?.[0]).toMatch(
      /^attributes\.0\.attribute: must be a SCIM User attribute path/,
    );
    expect(issues({ auth: { token: 'x' } })).toEqual([
      'auth: must be { bearerToken: <secret> } or { oauth2: { tokenUrl, clientId, clientSecret } }',
    ]);
  });

  it('writes a desired-state row per person; an active account needs a userName, a leaver does not', () => {
    const [layout] = createScimLayouts(config);
    expect(layout!.headers.slice(0, 3)).toEqual(['externalId', 'active', 'userName']);
    const employee = (status: Employee['status'], workEmail?: string): Employee => ({
      sourceId: '7',
      status,
      ...(workEmail ? { workEmail } : {}),
    });
    const [leaver] = layout!.rowsFor(employee('inactive', 'old.address@acme.example'));
    // Found by HR id only: its old address cannot clash with a new hire who has it now.
    expect(leaver!.slice(0, 3)).toEqual(['7', 'false', '']);
    expect(layout!.rowsFor(employee('pending', 'p@acme.example'))[0]!.slice(0, 2)).toEqual(['7', 'pending']);
    expect(layout!.checks!.rules!(leaver!)).toEqual([]);
    const [active] = layout!.rowsFor(employee('active'));
    expect(layout!.checks!.rules!(active!)).toEqual([
      { field: 'userName', reason: 'is required for an active account' },
    ]);
    expect(layout!.rowsFor(employee('leave', 'k@acme.example'))[0]!.slice(0, 3)).toEqual([
      '7',
      'true',
      'k@acme.example',
    ]);
  });
});

describe('SCIM listing', () => {
  // A server that ignores startIndex: every page is its first, whatever is asked.
  let app: FakeHttpServer;
  beforeAll(async () => {
    app = await FakeHttpServer.start((request) => ({
      status: 200,
      headers: { 'content-type': 'application/scim+json' },
      json: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: 3,
        itemsPerPage: 2,
        startIndex: Number(request.query.get('startIndex')),
        Resources: [
          { id: 'a', externalId: '1', userName: 'a' },
          { id: 'b', externalId: '2', userName: 'b' },
        ],
      },
    }));
  });
  afterAll(() => app.close());

  it('refuses to plan from a listing that ends short of the total the app reports', async () => {
    const scim = ScimTargetConfigSchema.parse({
      type: 'scim',
      baseUrl: app.url,
      auth: { bearerToken: { env: 'SCIM_UNIT_TOKEN' } },
    });
    const client = await createScimHttpClient(scim, createSecretResolver({ SCIM_UNIT_TOKEN: 't' }));
    await expect(listAllUsers(client, ['externalId'], () => undefined)).rejects.toThrow(
      'SCIM: GET /Users listed 2 distinct users of the 3 the app reports; nothing was planned from a partial listing',
    );
    // It asked for the compared attributes only.
    expect(app.requests[0]!.query.get('attributes')).toBe('externalId');
  });
});
