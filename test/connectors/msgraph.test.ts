import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MsgraphConfigSchema } from '../../connectors/msgraph/config';
import type { MsgraphConfig } from '../../connectors/msgraph/config';
import { createMsgraphSource } from '../../connectors/msgraph/source';
import {
  MSGRAPH_CLIENT_ID,
  MSGRAPH_CLIENT_SECRET,
  MSGRAPH_COMPANY_NAME,
  MSGRAPH_PENDING_HIRE_DATE,
  MSGRAPH_TENANT_ID,
  MsgraphFake,
  graphUserId,
} from '../fakes/msgraph/server';
import { collect, describeSourceConformance, testSourceDeps } from '../support/source-conformance';
import { failureOf } from '../support/failure-of';

const env = { GRAPH_CLIENT_SECRET: MSGRAPH_CLIENT_SECRET, GRAPH_WRONG_SECRET: 'Zz9~not-the-secret_0000' };
const deps = testSourceDeps(env);
/** The connector's clock: after the synthetic leavers' 2026-06-30, before the pending hires' start. */
const now = () => new Date('2026-12-01T09:00:00Z');

function msgraph(fake: MsgraphFake, overrides: Record<string, unknown> = {}) {
  const config = MsgraphConfigSchema.parse({
    type: 'msgraph',
    tenantId: MSGRAPH_TENANT_ID,
    clientId: MSGRAPH_CLIENT_ID,
    clientSecret: { env: 'GRAPH_CLIENT_SECRET' },
    graphBaseUrl: fake.baseUrl,
    authorityHost: fake.baseUrl,
    pageSize: 7,
    ...overrides,
  });
  return createMsgraphSource(config, deps, { now });
}

const wrongSecret = { clientSecret: { env: 'GRAPH_WRONG_SECRET' } };

for (const mode of ['users', 'delta'] as const) {
  describeSourceConformance({
    name: `Microsoft Graph (${mode})`,
    startFake: () => MsgraphFake.start(),
    createSource: (fake, _deps, credentials) =>
      msgraph(fake, { mode, ...(credentials === 'wrong' ? wrongSecret : {}) }),
    secretValues: [MSGRAPH_CLIENT_SECRET, env.GRAPH_WRONG_SECRET],
    rosterSize: 23,
    env,
  });
}

const records = async (source: ReturnType<typeof msgraph>) => (await collect(source)).flatMap((page) => page.records);

describe('Microsoft Graph mapping and vendor behaviour', () => {
  let fake: MsgraphFake;
  beforeAll(async () => {
    fake = await MsgraphFake.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.seed(7);
    fake.hiddenProperties = new Set();
    fake.missingPermission = false;
  });

  it('maps a Graph user field by field: the object id as sourceId, employeeId as the employee number', async () => {
    const mapped = await records(msgraph(fake));
    const leaver = fake.people.find((person) => person.status === 'inactive')!;
    const manager = fake.people.find((person) => person.id === leaver.managerId)!;
    expect(mapped.find((record) => record.sourceId === graphUserId(leaver.id))).toEqual({
      sourceId: graphUserId(leaver.id),
      employeeNumber: leaver.employeeNumber,
      firstName: leaver.firstName,
      lastName: leaver.lastName,
      displayName: `${leaver.firstName} ${leaver.lastName}`,
      workEmail: leaver.email,
      status: 'inactive',
      rawStatus: 'employeeLeaveDateTime:past',
      hireDate: leaver.hireDate,
      terminationDate: leaver.terminationDate,
      jobTitle: leaver.jobTitle,
      employmentType: leaver.employmentType,
      department: leaver.department,
      division: leaver.division,
      location: leaver.location,
      costCenter: leaver.costCenter,
      managerSourceId: graphUserId(manager.id),
      managerEmail: manager.email,
      customFields: { companyName: MSGRAPH_COMPANY_NAME },
    });
    // Graph has no leave status: people on leave keep enabled accounts and read as active.
    expect(mapped.map((record) => `${record.status} ${record.rawStatus}`).sort()).toEqual([
      'active accountEnabled:true',
      'active accountEnabled:true',
      'active accountEnabled:true',
      'active accountEnabled:true',
      'active accountEnabled:true',
      'inactive employeeLeaveDateTime:past',
      'pending employeeHireDate:future',
    ]);
    expect(mapped.find((record) => record.status === 'pending')!.hireDate).toBe(MSGRAPH_PENDING_HIRE_DATE);
  });

  it('asks for the roster properties, employeeOrgData and the expanded manager, $top as the page size', async () => {
    fake.seed(10);
    const before = fake.http.requests.length;
    await collect(msgraph(fake));
    const listing = fake.http.requests.slice(before).filter((request) => request.path === '/v1.0/users');
    expect(listing).toHaveLength(2);
    const [first, second] = listing as [(typeof listing)[0], (typeof listing)[0]];
    expect(first.query.get('$top')).toBe('7');
    expect(first.query.get('$expand')).toBe('manager($select=id,mail)');
    expect(first.query.get('$select')!.split(',')).toEqual(
      expect.arrayContaining([
        'id',
        'employeeId',
        'accountEnabled',
        'employeeHireDate',
        'employeeLeaveDateTime',
        'employeeOrgData',
      ]),
    );
    expect(first.query.has('$skiptoken')).toBe(false);
    // The second page is the nextLink as Graph wrote it: the same options plus a skip token, never $skip.
    expect([...second.query.keys()]).toEqual(['$select', '$top', '$expand', '$skiptoken']);
    expect(listing.some((request) => request.query.has('$skip'))).toBe(false);
  });

  it('decides status by rule: leave date passed, hire date ahead, then the account flag', async () => {
    const [a, b, c, d, e] = fake.people.map((person) => person.id) as [string, string, string, string, string];
    fake.overrides.set(a, {
      accountEnabled: false,
      employeeLeaveDateTime: null,
      employeeHireDate: '2020-01-01T00:00:00Z',
    });
    // Pre-hire accounts are created disabled: the future hire date wins.
    fake.overrides.set(b, { accountEnabled: false, employeeHireDate: '2027-02-01T00:00:00Z' });
    // A passed leave date ends employment even while the account is still enabled.
    fake.overrides.set(c, { accountEnabled: true, employeeLeaveDateTime: '2026-11-30T17:00:00Z' });
    // A leave date still ahead (notice period) does not.
    fake.overrides.set(d, { accountEnabled: true, employeeLeaveDateTime: '2027-03-31T17:00:00Z' });
    fake.overrides.set(e, { accountEnabled: true, employeeHireDate: null, employeeLeaveDateTime: null });
    const byId = new Map((await records(msgraph(fake))).map((record) => [record.sourceId, record]));
    const verdict = (id: string) => `${byId.get(graphUserId(id))?.status} ${byId.get(graphUserId(id))?.rawStatus}`;
    expect([a, b, c, d, e].map(verdict)).toEqual([
      'inactive accountEnabled:false',
      'pending employeeHireDate:future',
      'inactive employeeLeaveDateTime:past',
      'active accountEnabled:true',
      'active accountEnabled:true',
    ]);
    expect(byId.get(graphUserId(d))?.terminationDate).toBe('2027-03-31');
  });

  it('rejects, by user id and field, a user whose account state cannot be read, and applies statusMap overrides', async () => {
    const [first, second] = fake.people as [(typeof fake.people)[0], (typeof fake.people)[0]];
    fake.overrides.set(first.id, { accountEnabled: null });
    fake.overrides.set(second.id, { accountEnabled: false });
    const pages = await collect(msgraph(fake, { statusMap: { 'accountEnabled:false': 'leave' } }));
    expect(pages.flatMap((page) => page.rejected)).toEqual([
      { row: `user ${graphUserId(first.id)}`, field: 'status', reason: 'is required' },
    ]);
    const disabled = pages.flatMap((page) => page.records).find((record) => record.sourceId === graphUserId(second.id));
    expect(disabled).toMatchObject({ status: 'leave', rawStatus: 'accountEnabled:false' });
  });

  it('falls back to the account flag when the leave date is not readable (no User-LifeCycleInfo.Read.All)', async () => {
    fake.hiddenProperties = new Set(['employeeLeaveDateTime']);
    const leaver = fake.people.find((person) => person.status === 'inactive')!;
    const record = (await records(msgraph(fake))).find((entry) => entry.sourceId === graphUserId(leaver.id))!;
    expect(record).toMatchObject({ status: 'inactive', rawStatus: 'accountEnabled:false' });
    expect(record.terminationDate).toBeUndefined();
  });

  it('uses userPrincipalName for users without mail only when configured, and never a guest #EXT# name', async () => {
    const [member, guest] = fake.people as [(typeof fake.people)[0], (typeof fake.people)[0]];
    fake.overrides.set(member.id, { mail: null, userPrincipalName: 'ada.lane@contoso.onmicrosoft.com' });
    fake.overrides.set(guest.id, { mail: null, userPrincipalName: 'grace_example.com#EXT#@contoso.onmicrosoft.com' });
    const email = async (config: Record<string, unknown>, id: string) =>
      (await records(msgraph(fake, config))).find((record) => record.sourceId === graphUserId(id))?.workEmail;
    expect(await email({}, member.id)).toBeUndefined();
    expect(await email({ userPrincipalNameAsEmail: true }, member.id)).toBe('ada.lane@contoso.onmicrosoft.com');
    expect(await email({ userPrincipalNameAsEmail: true }, guest.id)).toBeUndefined();
  });

  it('reads custom fields by property path, selecting their top-level property', async () => {
    const person = fake.people[2]!;
    fake.overrides.set(person.id, { onPremisesExtensionAttributes: { extensionAttribute1: 'Platform' } });
    const source = msgraph(fake, { customFields: { team: 'onPremisesExtensionAttributes.extensionAttribute1' } });
    const record = (await records(source)).find((entry) => entry.sourceId === graphUserId(person.id))!;
    expect(record.customFields).toEqual({ companyName: MSGRAPH_COMPANY_NAME, team: 'Platform' });
  });

  it('reads one delta round: removed users become inactive, managers come from manager@delta', async () => {
    const departed = graphUserId('3999');
    const restorable = graphUserId('9001');
    fake.removed.set(departed, 'deleted');
    fake.removed.set(restorable, 'changed');
    const pages = await collect(msgraph(fake, { mode: 'delta', pageSize: 3 }));
    const all = pages.flatMap((page) => page.records);
    expect(pages.flatMap((page) => page.rejected)).toEqual([]);
    expect(all).toHaveLength(9);
    expect(all.find((record) => record.sourceId === departed)).toEqual({
      sourceId: departed,
      status: 'inactive',
      rawStatus: 'removed:deleted',
    });
    expect(all.find((record) => record.sourceId === restorable)).toMatchObject({ rawStatus: 'removed:changed' });
    const report = all.find((record) => record.sourceId === graphUserId('4002'))!;
    expect(report.managerSourceId).toBe(graphUserId('4001'));
    expect(report.managerEmail).toBeUndefined();
    // Delta answers leave null properties out (here the leave date of someone still employed).
    expect(report.terminationDate).toBeUndefined();

    const deltaRequests = fake.http.requestsTo(/^\/v1\.0\/users\/delta$/).slice(-pages.length);
    expect(deltaRequests[0]!.query.get('$select')!.split(',')).toContain('manager');
    expect(deltaRequests[0]!.query.has('$expand')).toBe(false);
    expect(deltaRequests[0]!.query.has('$top')).toBe(false);
    expect(deltaRequests[0]!.headers['prefer']).toBe('odata.maxpagesize=3');
    // Later pages follow the nextLink, whose skip token carries the selection.
    expect([...deltaRequests[1]!.query.keys()]).toEqual(['$skiptoken']);
  });

  it('refuses $top above 999 with Graph’s own message, and the config schema refuses it first', async () => {
    expect(MsgraphConfigSchema.safeParse({ ...baseConfig(fake), pageSize: 1000 }).success).toBe(false);
    const config = { ...MsgraphConfigSchema.parse(baseConfig(fake)), pageSize: 1000 } satisfies MsgraphConfig;
    const failure = await failureOf(() => collect(createMsgraphSource(config, deps, { now })));
    expect(failure.type).toBe('SourceRequestRejected');
    expect(failure.message).toBe(
      "Microsoft Graph: GET /v1.0/users was rejected (HTTP 400): Request_UnsupportedQuery: Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.",
    );
  });

  it('reports a wrong client secret as Entra’s invalid_client, once, without the secret', async () => {
    const before = fake.tokenRequests();
    const failure = await failureOf(() => msgraph(fake, wrongSecret).check());
    expect(failure.type).toBe('SourceAuthFailed');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe(
      `Microsoft Entra ID: POST /${MSGRAPH_TENANT_ID}/oauth2/v2.0/token refused the client credentials (HTTP 400): invalid_client: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${MSGRAPH_CLIENT_ID}'.`,
    );
    expect(failure.message).not.toContain(env.GRAPH_WRONG_SECRET);
    expect(failure.message).not.toContain(MSGRAPH_CLIENT_SECRET);
    expect(fake.tokenRequests() - before).toBe(1);
    const form = fake.http.requestsTo(/oauth2\/v2\.0\/token$/).at(-1)!.form!;
    expect(Object.fromEntries(form)).toMatchObject({
      grant_type: 'client_credentials',
      client_id: MSGRAPH_CLIENT_ID,
      scope: 'https://graph.microsoft.com/.default',
    });
  });

  it('explains a 403 from an app without User.Read.All', async () => {
    fake.missingPermission = true;
    const failure = await failureOf(() => msgraph(fake).check());
    expect(failure.type).toBe('SourceAuthFailed');
    expect(failure.message).toBe(
      "Microsoft Graph: GET /v1.0/users denied access (check the API user's permissions) (HTTP 403): Authorization_RequestDenied: Insufficient privileges to complete the operation.",
    );
  });

  it('fetches one token for check() and a whole multi-page listing', async () => {
    fake.seed(23);
    const source = msgraph(fake);
    const tokensBefore = fake.tokenRequests();
    const listingBefore = fake.listingRequests();
    await source.check();
    const pages = await collect(source);
    expect(pages).toHaveLength(4);
    expect(fake.listingRequests() - listingBefore).toBe(5);
    expect(fake.tokenRequests() - tokensBefore).toBe(1);
  });

  it('fetches a new token once when Graph stops accepting the cached one mid-listing', async () => {
    fake.seed(23);
    const source = msgraph(fake);
    const tokensBefore = fake.tokenRequests();
    const pages: Awaited<ReturnType<typeof collect>> = [];
    for await (const page of source.listEmployees()) {
      pages.push(page);
      if (pages.length === 1) fake.revokeTokens();
    }
    expect(pages.flatMap((page) => page.records)).toHaveLength(23);
    expect(fake.tokenRequests() - tokensBefore).toBe(2);
  });

  it('resumes at the page the stored nextLink names, with the options it carries', async () => {
    fake.seed(23);
    const listingOf = (from: number) =>
      fake.http.requests.slice(from).filter((request) => request.path === '/v1.0/users');
    let before = fake.http.requests.length;
    const pages = await collect(msgraph(fake));
    const original = listingOf(before);
    expect(original).toHaveLength(4);

    before = fake.http.requests.length;
    const resumed = await collect(msgraph(fake), pages[0]!.cursor);
    const resumedRequests = listingOf(before);
    expect(resumedRequests).toHaveLength(3);
    // The first resumed request is the nextLink of page 1, options and skip token included.
    expect(resumedRequests[0]!.query.toString()).toBe(original[1]!.query.toString());
    expect(resumedRequests[0]!.query.get('$top')).toBe('7');
    expect(resumed.flatMap((page) => page.records).map((record) => record.sourceId)).toEqual(
      pages.slice(1).flatMap((page) => page.records.map((record) => record.sourceId)),
    );

    // The last page's cursor marks the listing complete: nothing is fetched again.
    before = fake.http.requests.length;
    expect(await collect(msgraph(fake), pages.at(-1)!.cursor)).toEqual([]);
    expect(fake.http.requests.length).toBe(before);
  });

  it('refuses a cursor written by the other mode', async () => {
    const pages = await collect(msgraph(fake, { mode: 'delta', pageSize: 3 }));
    const failure = await failureOf(() => collect(msgraph(fake), pages[0]!.cursor));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toBe('Microsoft Graph: the resume cursor is not one of a users listing');
  });

  it('names a missing secret without asking for a token', async () => {
    const before = fake.tokenRequests();
    const failure = await failureOf(() => msgraph(fake, { clientSecret: { env: 'GRAPH_UNSET' } }).check());
    expect(failure.type).toBe('SecretUnavailable');
    expect(failure.message).toBe("source.clientSecret: the secret's environment variable GRAPH_UNSET is not set");
    expect(fake.tokenRequests()).toBe(before);
  });
});

function baseConfig(fake: MsgraphFake): Record<string, unknown> {
  return {
    type: 'msgraph',
    tenantId: MSGRAPH_TENANT_ID,
    clientId: MSGRAPH_CLIENT_ID,
    clientSecret: { env: 'GRAPH_CLIENT_SECRET' },
    graphBaseUrl: fake.baseUrl,
    authorityHost: fake.baseUrl,
  };
}
