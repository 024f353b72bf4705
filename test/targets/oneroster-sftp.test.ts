import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Employee } from '../../core/employee';
import { OneRosterTargetConfigSchema } from '../../targets/oneroster-sftp/config';
import { assertValidOneRosterPackage, checkOneRosterPackage } from '../../targets/oneroster-sftp/deliver';
import { createOneRosterLayouts } from '../../targets/oneroster-sftp/layouts';
import { orgSourcedId, slugOf } from '../../targets/oneroster-sftp/orgs';
import { ONEROSTER_PROFILES } from '../../targets/oneroster-sftp/profiles';
import { validateOneRosterPackage } from '../../targets/oneroster-sftp/validate';
import { SMALL_ROSTER, TEST_HOST_KEY, oneRosterConfig, renderPackage } from '../fakes/oneroster-sftp/fixtures';

const nested = {
  parentOrgsFrom: 'division',
  unassignedOrg: 'Unassigned',
  role: { from: 'jobTitle', map: { principal: 'principal', COUNSELOR: 'counselor' } },
};

const csv = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('OneRoster target config', () => {
  const base = {
    type: 'oneroster-sftp',
    orgsFrom: 'location',
    sftp: { host: 'sftp.alludo.test', username: 'district-42', password: { env: 'P' }, hostKeySha256: TEST_HOST_KEY },
  };
  const issues = (value: Record<string, unknown>) =>
    OneRosterTargetConfigSchema.safeParse({ ...base, ...value }).error?.issues.map((issue) => [
      issue.path.join('.'),
      issue.message,
    ]);

  it('fills the defaults: teacher/primary, adult, port 22, the login folder, rosterflow as the source system', () => {
    const config = OneRosterTargetConfigSchema.parse({ ...base, profile: 'alludo' });
    expect(config).toMatchObject({
      orgIdPrefix: 'org-',
      role: { default: 'teacher', map: {} },
      roleType: 'primary',
      enabledStatuses: ['active', 'pending', 'leave'],
      leavers: 'disable',
      ageGroup: 'adult',
      manifestSource: { systemName: 'rosterflow', systemCode: 'rosterflow' },
      sftp: { port: 22, directory: '.', hostKeySha256: 'A'.repeat(43) },
    });
  });

  it('requires a pinned host key and exactly one of password and private key', () => {
    const { hostKeySha256: _pin, ...unpinned } = base.sftp;
    expect(issues({ profile: 'alludo', sftp: unpinned })).toEqual([
      ['sftp.hostKeySha256', 'is required: pin the server key (ssh-keyscan <host> | ssh-keygen -lf -)'],
    ]);
    expect(issues({ profile: 'alludo', sftp: { ...base.sftp, privateKey: { env: 'K' } } })).toEqual([
      ['sftp', 'needs exactly one of password and privateKey'],
    ]);
  });

  it('keeps Alludo to schools and groups, nests groups only, and allows only its twelve roles', () => {
    expect(issues({ profile: 'alludo', orgType: 'department' })).toEqual([
      ['orgType', 'must be school or local for Alludo'],
    ]);
    expect(issues({ profile: 'alludo', parentOrgsFrom: 'division', orgType: 'school' })).toEqual([
      ['orgType', 'must be local when orgs are nested under a parent level (Alludo nests groups only)'],
    ]);
    expect(issues({ profile: 'alludo', role: { default: 'ext:staff' } })).toEqual([
      [
        'role',
        'Alludo accepts only aide, counselor, districtAdministrator, guardian, parent, principal, proctor, relative, ' +
          'siteAdministrator, student, systemAdministrator, teacher',
      ],
    ]);
    expect(issues({ profile: 'oneroster-1.2', orgType: 'ext:campus', role: { default: 'ext:staff' } })).toBeUndefined();
  });

  it('keeps OneRoster to true/false and a primary role, and org levels to org-like fields', () => {
    expect(issues({ profile: 'oneroster-1.2', enabledUserEncoding: 'yes-no', roleType: 'secondary' })).toEqual([
      ['enabledUserEncoding', 'must be true-false for OneRoster (its readers accept only true and false)'],
      ['roleType', 'must be primary for OneRoster (every user needs exactly one primary role)'],
    ]);
    expect(issues({ profile: 'oneroster-1.2.1', orgsFrom: 'jobTitle', parentOrgsFrom: 'customFields.campus' })).toEqual(
      [['orgsFrom', 'must be department, location, division or customFields.<name>']],
    );
    expect(issues({ profile: 'alludo', parentOrgsFrom: 'location' })).toEqual([
      ['parentOrgsFrom', 'must be another field than orgsFrom'],
    ]);
  });
});

describe('OneRoster layouts', () => {
  it('write the Alludo subset with exactly the vendor page’s numbered columns', () => {
    const layouts = createOneRosterLayouts(oneRosterConfig('alludo'));
    expect(layouts.map((layout) => [layout.fileName, layout.headers.join(',')])).toEqual([
      ['orgs.csv', 'sourcedId,name,type,parentSourcedId'],
      ['users.csv', 'sourcedId,identifier,enabledUser,givenName,familyName,email,primaryOrgSourcedId,ageGroup'],
      ['roles.csv', 'sourcedId,userSourcedId,roleType,role,orgSourcedId'],
    ]);
  });

  it('write OneRoster 1.2 with 23 user columns including resourceSourcedIds, and a manifest last', () => {
    const layouts = createOneRosterLayouts(oneRosterConfig('oneroster-1.2'));
    expect(layouts.map((layout) => [layout.fileName, layout.headers.join(',')])).toEqual([
      ['orgs.csv', 'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId'],
      [
        'users.csv',
        'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,' +
          'email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,' +
          'preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns',
      ],
      [
        'roles.csv',
        'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId',
      ],
      ['manifest.csv', 'propertyName,value'],
    ]);
    expect(layouts[1]?.headers).toHaveLength(23);
  });

  it('write OneRoster 1.2.1 with the same 22 user columns minus resourceSourcedIds', () => {
    const users = createOneRosterLayouts(oneRosterConfig('oneroster-1.2.1'))[1];
    const users12 = createOneRosterLayouts(oneRosterConfig('oneroster-1.2'))[1];
    expect(users?.headers).toHaveLength(22);
    expect(users?.headers).toEqual(users12?.headers.filter((header) => header !== 'resourceSourcedIds'));
  });

  it('render a small Alludo roster exactly: Yes/No, adults, one level of groups, formula-safe names when asked', async () => {
    const config = oneRosterConfig('alludo', { ...nested, escapeFormulas: true });
    const { files, outcome } = await renderPackage(config, SMALL_ROSTER);
    expect(outcome).toMatchObject({ rendered: 4, rejected: 0, filteredOut: 0 });
    expect(files).toEqual({
      'orgs.csv': csv(
        'sourcedId,name,type,parentSourcedId',
        'org-americas-ab8d8a98,Americas,local,',
        'org-emea-4739eccc,EMEA,local,',
        'org-engineering-ec3f17c6,Engineering,local,org-emea-4739eccc',
        'org-student-services-2f4f5566,Student Services,local,org-americas-ab8d8a98',
        'org-unassigned-988bae77,Unassigned,local,org-emea-4739eccc',
      ),
      'users.csv': csv(
        'sourcedId,identifier,enabledUser,givenName,familyName,email,primaryOrgSourcedId,ageGroup',
        '4001,E-0001,Yes,Ada,Lane,ada.lane@example.com,org-engineering-ec3f17c6,adult',
        '4002,E-0002,Yes,Grace,Hopper,grace.hopper@example.com,org-student-services-2f4f5566,adult',
        "4003,E-0003,No,Alan,'=Turing,alan.turing@example.com,org-engineering-ec3f17c6,adult",
        '4004,,Yes,Edsger,Dijkstra,edsger.dijkstra@example.com,org-unassigned-988bae77,adult',
      ),
      'roles.csv': csv(
        'sourcedId,userSourcedId,roleType,role,orgSourcedId',
        'role-4001-org-engineering-ec3f17c6,4001,primary,teacher,org-engineering-ec3f17c6',
        'role-4002-org-student-services-2f4f5566,4002,primary,principal,org-student-services-2f4f5566',
        'role-4003-org-engineering-ec3f17c6,4003,primary,teacher,org-engineering-ec3f17c6',
        'role-4004-org-unassigned-988bae77,4004,primary,counselor,org-unassigned-988bae77',
      ),
    });
  });

  it('render a small OneRoster 1.2 roster exactly, in bulk mode with a complete manifest, names as they are', async () => {
    const { files } = await renderPackage(oneRosterConfig('oneroster-1.2', nested), SMALL_ROSTER);
    expect(files['orgs.csv']).toBe(
      csv(
        'sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId',
        'org-americas-ab8d8a98,,,Americas,school,,',
        'org-emea-4739eccc,,,EMEA,school,,',
        'org-engineering-ec3f17c6,,,Engineering,department,,org-emea-4739eccc',
        'org-student-services-2f4f5566,,,Student Services,department,,org-americas-ab8d8a98',
        'org-unassigned-988bae77,,,Unassigned,department,,org-emea-4739eccc',
      ),
    );
    expect(files['users.csv']).toBe(
      csv(
        'sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,' +
          'email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,' +
          'preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns',
        '4001,,,true,ada.lane@example.com,,Ada,Lane,,E-0001,ada.lane@example.com,,,,,,,,,,,org-engineering-ec3f17c6,',
        '4002,,,true,grace.hopper@example.com,,Grace,Hopper,,E-0002,grace.hopper@example.com,,,,,,,,Gracie,,,' +
          'org-student-services-2f4f5566,',
        // escapeFormulas is off by default: the receiver stores the cell, so '=Turing would be the name.
        '4003,,,false,alan.turing@example.com,,Alan,=Turing,,E-0003,alan.turing@example.com,,,,,,,,,,,' +
          'org-engineering-ec3f17c6,',
        '4004,,,true,edsger.dijkstra@example.com,,Edsger,Dijkstra,,,edsger.dijkstra@example.com,,,,,,,,,,,' +
          'org-unassigned-988bae77,',
      ),
    );
    expect(files['roles.csv']).toBe(
      csv(
        'sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId',
        'role-4001-org-engineering-ec3f17c6,,,4001,primary,teacher,2019-03-01,,org-engineering-ec3f17c6,',
        'role-4002-org-student-services-2f4f5566,,,4002,primary,principal,2015-08-17,,org-student-services-2f4f5566,',
        'role-4003-org-engineering-ec3f17c6,,,4003,primary,teacher,2012-01-09,2026-06-30,org-engineering-ec3f17c6,',
        'role-4004-org-unassigned-988bae77,,,4004,primary,counselor,,,org-unassigned-988bae77,',
      ),
    );
    expect(files['manifest.csv']).toBe(
      csv(
        'propertyName,value',
        'manifest.version,1.0',
        'oneroster.version,1.2',
        'file.academicSessions,absent',
        'file.categories,absent',
        'file.classes,absent',
        'file.classResources,absent',
        'file.courses,absent',
        'file.courseResources,absent',
        'file.demographics,absent',
        'file.enrollments,absent',
        'file.lineItemLearningObjectiveIds,absent',
        'file.lineItems,absent',
        'file.lineItemScoreScales,absent',
        'file.orgs,bulk',
        'file.resources,absent',
        'file.resultLearningObjectiveIds,absent',
        'file.results,absent',
        'file.resultScoreScales,absent',
        'file.roles,bulk',
        'file.scoreScales,absent',
        'file.userProfiles,absent',
        'file.userResources,absent',
        'file.users,bulk',
        'source.systemName,rosterflow',
        'source.systemCode,rosterflow',
      ),
    );
  });

  it('render 1.2.1 users with 22 cells and a manifest that says 1.2.1', async () => {
    const { files } = await renderPackage(
      oneRosterConfig('oneroster-1.2.1', { manifestSource: { systemName: 'Acme HR', systemCode: 'acme-hr' } }),
      SMALL_ROSTER.slice(0, 1),
    );
    expect(files['users.csv']?.split('\n')[1]).toBe(
      '4001,,,true,ada.lane@example.com,,Ada,Lane,,E-0001,ada.lane@example.com,,,,,,,,,,org-engineering-9c5afbd0,',
    );
    expect(files['manifest.csv']).toContain('\noneroster.version,1.2.1\n');
    expect(files['manifest.csv']).toMatch(/\nsource\.systemName,Acme HR\nsource\.systemCode,acme-hr\n$/);
  });

  it.each(ONEROSTER_PROFILES)('produce a package that passes the %s validity check, nested or not', async (profile) => {
    for (const overrides of [{}, nested, { orgsFrom: 'location', unassignedOrg: 'Head Office' }]) {
      const { files } = await renderPackage(oneRosterConfig(profile, overrides), SMALL_ROSTER);
      expect(validateOneRosterPackage(files, profile)).toEqual([]);
    }
  });

  it('leave leavers enabledUser No, or out of every file with leavers: omit', async () => {
    const omitted = await renderPackage(oneRosterConfig('alludo', { leavers: 'omit' }), SMALL_ROSTER);
    expect(omitted.outcome).toMatchObject({ rendered: 3, filteredOut: 1 });
    expect(omitted.files['users.csv']).not.toContain('4003');
    expect(omitted.files['roles.csv']).not.toContain('4003');

    const strict = await renderPackage(oneRosterConfig('alludo', { enabledStatuses: ['active'] }), SMALL_ROSTER);
    expect(strict.files['users.csv']?.split('\n').map((line) => line.split(',')[2])).toEqual([
      'enabledUser',
      'Yes',
      'No',
      'No',
      'No',
      undefined,
    ]);
  });

  it('reject, per employee and column, an Alludo user whose email is missing or repeats another (any case)', async () => {
    const twin: Employee = { ...SMALL_ROSTER[0]!, sourceId: '4010', workEmail: 'ADA.LANE@example.com' };
    const { workEmail: _email, ...noEmail } = { ...SMALL_ROSTER[1]!, sourceId: '4011' };
    const { files, outcome } = await renderPackage(oneRosterConfig('alludo'), [SMALL_ROSTER[0]!, twin, noEmail]);
    expect(outcome.rejections).toEqual([
      { row: 'employee 4010', field: 'email', reason: 'repeats a value an earlier row of users.csv has' },
      { row: 'employee 4011', field: 'email', reason: 'is required in users.csv' },
    ]);
    // A rejected employee leaves no role behind that would point at a user the files lack.
    expect(files['roles.csv']).not.toMatch(/4010|4011/);
  });

  it('reject, per employee, a role that would end before it begins; the rest of the package is valid', async () => {
    const rehired: Employee = { ...SMALL_ROSTER[0]!, hireDate: '2024-05-01', terminationDate: '2024-04-30' };
    const roster = [rehired, ...SMALL_ROSTER.slice(1)];
    const config = oneRosterConfig('oneroster-1.2', nested);
    const { files, outcome } = await renderPackage(config, roster);
    expect(outcome).toMatchObject({ rendered: 3, rejected: 1 });
    expect(outcome.rejections.map(({ field, reason }) => ({ field, reason }))).toEqual([
      { field: 'endDate', reason: 'is before beginDate: the role would end before it begins' },
    ]);
    expect(files['users.csv']).not.toMatch(/\n4001,/);
    expect(files['roles.csv']).not.toContain('role-4001-');
    // What is left is a package the receiver takes: the delivery gate lets it through.
    expect(checkOneRosterPackage(config, files)).toEqual([]);
    expect(() => assertValidOneRosterPackage(config, files)).not.toThrow();

    // Alludo's files carry no dates, so there is nothing impossible to send.
    expect((await renderPackage(oneRosterConfig('alludo', nested), roster)).outcome).toMatchObject({ rejected: 0 });
  });

  it('apply the package check’s per-row rules at render time, one row at a time', () => {
    const [, users, roles] = createOneRosterLayouts(oneRosterConfig('oneroster-1.2'));
    const row = (layout: typeof users, cells: Record<string, string>) =>
      layout!.headers.map((header) => cells[header] ?? '');
    expect(
      roles!.checks?.rules?.(
        row(roles, { roleType: 'primary', role: 'teacher', beginDate: '2024-05-01', endDate: '2024-04-30' }),
      ),
    ).toEqual([
      { field: 'sourcedId', reason: 'is required' },
      { field: 'userSourcedId', reason: 'is required' },
      { field: 'orgSourcedId', reason: 'is required' },
      { field: 'endDate', reason: 'is before beginDate: the role would end before it begins' },
    ]);
    expect(
      users!.checks?.rules?.(
        row(users, {
          sourcedId: '1',
          enabledUser: 'Yes',
          username: 'a',
          givenName: 'A',
          familyName: 'B',
          status: 'active',
        }),
      ),
    ).toEqual([
      { field: 'status', reason: 'must be blank in a bulk file' },
      { field: 'enabledUser', reason: 'must be one of true, false' },
    ]);
  });

  it('reject a OneRoster user without an org, since every user needs a primary role', async () => {
    const { department: _department, ...orgless } = SMALL_ROSTER[0]!;
    const { outcome } = await renderPackage(oneRosterConfig('oneroster-1.2'), [orgless]);
    expect(outcome.rejections).toEqual([
      { row: 'employee 4001', field: 'primaryOrgSourcedId', reason: 'is required in users.csv' },
    ]);
  });
});

describe('org derivation', () => {
  it('gives ids that are stable across runs and input order, and merges case and spacing variants', async () => {
    const config = oneRosterConfig('alludo', nested);
    const forward = await renderPackage(config, SMALL_ROSTER);
    const backward = await renderPackage(config, [...SMALL_ROSTER].reverse());
    expect(backward.files['orgs.csv']).toBe(forward.files['orgs.csv']);
    // "Engineering" and " engineering " under EMEA are one org, written with the first spelling in code-point order.
    expect(forward.files['orgs.csv']?.match(/ngineering/gi)).toHaveLength(2);
  });

  it('follows the documented scheme: prefix, slug, first 8 hex digits of SHA-256 over the field=name path', () => {
    const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);
    expect(orgSourcedId('org-', [{ field: 'department', name: 'Engineering' }])).toBe(
      `org-engineering-${hash('department=engineering')}`,
    );
    expect(
      orgSourcedId('org-', [
        { field: 'division', name: 'EMEA' },
        { field: 'department', name: 'Engineering' },
      ]),
    ).toBe(`org-engineering-${hash('division=emea\ndepartment=engineering')}`);
  });

  it('tells apart a name under two parents, and a name used on two levels', () => {
    const emea = [{ field: 'division', name: 'EMEA' }];
    const underEmea = orgSourcedId('org-', [...emea, { field: 'department', name: 'Sales' }]);
    const underAmericas = orgSourcedId('org-', [
      { field: 'division', name: 'Americas' },
      { field: 'department', name: 'Sales' },
    ]);
    expect(underEmea).toMatch(/^org-sales-[0-9a-f]{8}$/);
    expect(underAmericas).toMatch(/^org-sales-[0-9a-f]{8}$/);
    expect(underEmea).not.toBe(underAmericas);
    expect(orgSourcedId('org-', emea)).not.toBe(orgSourcedId('org-', [{ field: 'department', name: 'EMEA' }]));
    expect(orgSourcedId('org-', [{ field: 'department', name: '  Sales ' }])).toBe(
      orgSourcedId('org-', [{ field: 'department', name: 'SALES' }]),
    );
  });

  it('slugs names to ASCII and takes a prefix', async () => {
    expect(slugOf('Müller & Söhne (Zürich)')).toBe('muller-sohne-zurich');
    expect(slugOf('東京')).toBe('org');
    const { files } = await renderPackage(
      oneRosterConfig('alludo', { orgsFrom: 'customFields.campus', orgIdPrefix: 'acme.' }),
      [{ ...SMALL_ROSTER[0]!, customFields: { campus: 'North Campus' } }],
    );
    expect(files['orgs.csv']).toMatch(
      /^sourcedId,name,type,parentSourcedId\nacme\.north-campus-[0-9a-f]{8},North Campus,school,\n$/,
    );
  });

  it('leaves employees without a value out of orgs and roles unless an unassigned org is named', async () => {
    const edsger = SMALL_ROSTER[3]!;
    const without = await renderPackage(oneRosterConfig('alludo'), [edsger]);
    expect(without.files['orgs.csv']).toBe(csv('sourcedId,name,type,parentSourcedId'));
    expect(without.files['roles.csv']).toBe(csv('sourcedId,userSourcedId,roleType,role,orgSourcedId'));
    expect(without.files['users.csv']).toContain('\n4004,,Yes,Edsger,Dijkstra,edsger.dijkstra@example.com,,adult\n');
  });
});
