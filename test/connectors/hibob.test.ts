import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HibobConfigSchema } from '../../connectors/hibob/config';
import { createHibobSource } from '../../connectors/hibob/source';
import { RosterflowError } from '../../core/errors';
import { HIBOB_SERVICE_USER, HIBOB_TOKEN, HibobFake } from '../fakes/hibob/server';
import { collect, describeSourceConformance, testSourceDeps } from '../support/source-conformance';

const env = { HIBOB_TOKEN, HIBOB_WRONG_TOKEN: 'not-the-token-123' };
const deps = testSourceDeps(env);

function hibob(fake: HibobFake, overrides: Record<string, unknown> = {}) {
  const config = HibobConfigSchema.parse({
    type: 'hibob',
    baseUrl: fake.baseUrl,
    serviceUserId: HIBOB_SERVICE_USER,
    serviceUserToken: { env: 'HIBOB_TOKEN' },
    pageSize: 7,
    ...overrides,
  });
  return createHibobSource(config, deps);
}

describeSourceConformance({
  name: 'HiBob',
  startFake: () => HibobFake.start(),
  createSource: (fake, _deps, credentials) =>
    hibob(fake, credentials === 'wrong' ? { serviceUserToken: { env: 'HIBOB_WRONG_TOKEN' } } : {}),
  secretValues: [HIBOB_TOKEN, env.HIBOB_WRONG_TOKEN],
  rosterSize: 23,
  env,
});

describe('HiBob mapping and vendor behaviour', () => {
  let fake: HibobFake;
  beforeAll(async () => {
    fake = await HibobFake.start();
  });
  afterAll(() => fake.close());

  it('maps Bob fields to the canonical employee, keeping Bob ids and lifecycle words', async () => {
    fake.seed(7);
    const records = (await collect(hibob(fake))).flatMap((page) => page.records);
    const leaver = fake.people.find((person) => person.status === 'inactive')!;
    expect(records.find((record) => record.sourceId === leaver.id)).toEqual({
      sourceId: leaver.id,
      employeeNumber: String(Number(leaver.employeeNumber.slice(2))),
      firstName: leaver.firstName,
      lastName: leaver.lastName,
      displayName: `${leaver.firstName} ${leaver.lastName}`,
      workEmail: leaver.email,
      status: 'inactive',
      rawStatus: 'terminated',
      hireDate: leaver.hireDate,
      terminationDate: '2026-06-30',
      jobTitle: leaver.jobTitle,
      employmentType: leaver.employmentType,
      department: leaver.department,
      location: leaver.location,
      managerSourceId: '4001',
      managerEmail: 'manager@example.com',
    });
    expect(records.map((record) => record.status).sort()).toEqual([
      'active',
      'active',
      'active',
      'active',
      'inactive',
      'leave',
      'pending',
    ]);
  });

  it('asks for inactive people and labels (not list ids), and reads custom fields by path', async () => {
    fake.seed(3);
    fake.custom.set(fake.people[0]!.id, { team: 'Platform' });
    const records = (await collect(hibob(fake, { customFields: { team: 'work.custom.team' } }))).flatMap(
      (page) => page.records,
    );
    const body = fake.http.requests.at(-1)!.json as { showInactive: boolean; humanReadable: string; fields: string[] };
    expect(body).toMatchObject({ showInactive: true, humanReadable: 'REPLACE' });
    expect(body.fields).toContain('work.custom.team');
    expect(records[0]!.customFields).toEqual({ team: 'Platform' });
    expect(records[0]!.department).toBe(fake.people[0]!.department);
  });

  it('rejects, by employee id and field, records whose hidden fields leave them without a status', async () => {
    fake.seed(2);
    fake.hiddenFields = new Set(['internal.lifecycleStatus', 'internal.status']);
    try {
      const [page] = await collect(hibob(fake));
      expect(page!.records).toEqual([]);
      expect(page!.rejected).toEqual([
        { row: 'employee 4001', field: 'status', reason: 'is required' },
        { row: 'employee 4002', field: 'status', reason: 'is required' },
      ]);
    } finally {
      fake.hiddenFields = new Set();
    }
  });

  it('explains a 403 from a service user outside any permission group', async () => {
    fake.noPermissionGroup = true;
    try {
      const err = (await hibob(fake)
        .check()
        .catch((error: unknown) => error)) as RosterflowError;
      expect(err).toBeInstanceOf(RosterflowError);
      expect(err.type).toBe('SourceAuthFailed');
      expect(err.message).toBe(
        "HiBob: POST /v1/people/search denied access (check the API user's permissions) (HTTP 403): Forbidden: the service user has no permissions",
      );
    } finally {
      fake.noPermissionGroup = false;
    }
  });

  it('names a missing secret without trying the call', async () => {
    const err = (await hibob(fake, { serviceUserToken: { env: 'HIBOB_UNSET' } })
      .check()
      .catch((error: unknown) => error)) as RosterflowError;
    expect(err.type).toBe('SecretUnavailable');
    expect(err.message).toBe("source.serviceUserToken: the secret's environment variable HIBOB_UNSET is not set");
  });
});
