import type { ScaffoldNames } from '../names';

/** test/connectors/<name>.test.ts: the conformance kit plus mapping tests. */
export function testTemplate(n: ScaffoldNames): string {
  return `import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ${n.pascal}ConfigSchema } from '../../connectors/${n.kebab}/config';
import { create${n.pascal}Source } from '../../connectors/${n.kebab}/source';
import { RosterflowError } from '../../core/errors';
import { ${n.constant}_TOKEN, ${n.pascal}Fake } from '../fakes/${n.kebab}/server';
import { collect, describeSourceConformance, testSourceDeps } from '../support/source-conformance';

const env = { ${n.constant}_TOKEN, ${n.constant}_WRONG_TOKEN: 'not-the-token-123' };
const deps = testSourceDeps(env);

function connectorFor(fake: ${n.pascal}Fake, overrides: Record<string, unknown> = {}) {
  const config = ${n.pascal}ConfigSchema.parse({
    type: '${n.kebab}',
    baseUrl: fake.baseUrl,
    apiToken: { env: '${n.constant}_TOKEN' },
    pageSize: 7,
    ...overrides,
  });
  return create${n.pascal}Source(config, deps);
}

describeSourceConformance({
  name: '${n.vendor}',
  startFake: () => ${n.pascal}Fake.start(),
  createSource: (fake, _deps, credentials) =>
    connectorFor(fake, credentials === 'wrong' ? { apiToken: { env: '${n.constant}_WRONG_TOKEN' } } : {}),
  secretValues: [${n.constant}_TOKEN, env.${n.constant}_WRONG_TOKEN],
  // 23 employees in pages of 7: four pages, the last one short.
  rosterSize: 23,
  env,
});

// TODO: add the vendor's hazards from its docs: restricted fields, placeholder dates, its error texts.
describe('${n.vendor} mapping and vendor behaviour', () => {
  let fake: ${n.pascal}Fake;
  beforeAll(async () => {
    fake = await ${n.pascal}Fake.start();
  });
  afterAll(() => fake.close());

  it('maps a vendor record field by field to the canonical employee', async () => {
    fake.seed(7);
    const records = (await collect(connectorFor(fake))).flatMap((page) => page.records);
    const leaver = fake.people.find((person) => person.status === 'inactive')!;
    expect(records.find((record) => record.sourceId === leaver.id)).toEqual({
      sourceId: leaver.id,
      employeeNumber: leaver.employeeNumber,
      firstName: leaver.firstName,
      lastName: leaver.lastName,
      preferredName: leaver.preferredName,
      workEmail: leaver.email,
      status: 'inactive',
      rawStatus: 'Terminated',
      hireDate: leaver.hireDate,
      terminationDate: '2026-06-30',
      jobTitle: leaver.jobTitle,
      department: leaver.department,
      location: leaver.location,
      managerSourceId: leaver.managerId,
    });
  });

  it("rejects an unknown status word by employee and field, unless the sync's statusMap names it", async () => {
    fake.seed(2);
    fake.overrides.set('4002', { status: 'Sabbatical' });
    const [page] = await collect(connectorFor(fake));
    expect(page!.records.map((record) => record.sourceId)).toEqual(['4001']);
    expect(page!.rejected).toEqual([{ row: 'employee 4002', field: 'status', reason: 'is required' }]);

    const mapped = (await collect(connectorFor(fake, { statusMap: { Sabbatical: 'leave' } })))[0]!.records;
    expect(mapped.find((record) => record.sourceId === '4002')).toMatchObject({
      status: 'leave',
      rawStatus: 'Sabbatical',
    });
  });

  it('lists with its default page size, which the vendor accepts', async () => {
    fake.seed(3);
    const pages = await collect(connectorFor(fake, { pageSize: undefined }));
    expect(pages.flatMap((page) => page.records)).toHaveLength(3);
  });

  it("reports a refused token in the vendor's words, without the token", async () => {
    const err = await connectorFor(fake, { apiToken: { env: '${n.constant}_WRONG_TOKEN' } })
      .check()
      .catch((error: unknown) => error);
    expect(err).toBeInstanceOf(RosterflowError);
    expect((err as RosterflowError).message).toBe(
      '${n.vendor}: GET /v1/employees rejected the credentials (HTTP 401): Invalid or missing API token',
    );
  });
});
`;
}
