import { beforeAll, describe, expect, it } from 'vitest';
import { assertValidOneRosterPackage } from '../../targets/oneroster-sftp/deliver';
import { validateOneRosterPackage } from '../../targets/oneroster-sftp/validate';
import { RosterflowError } from '../../core/errors';
import { SMALL_ROSTER, oneRosterConfig, renderPackage } from '../fakes/oneroster-sftp/fixtures';

/** Each test breaks one kind of thing in an otherwise valid package and expects exactly its problems. */
const csv = (...lines: string[]) => `${lines.join('\n')}\n`;

const ALLUDO_ORGS = 'sourcedId,name,type,parentSourcedId';
const ALLUDO_USERS = 'sourcedId,identifier,enabledUser,givenName,familyName,email,primaryOrgSourcedId,ageGroup';
const ALLUDO_ROLES = 'sourcedId,userSourcedId,roleType,role,orgSourcedId';

/** A valid Alludo package: a district group with a group nested in it, a school; a user and a leaver. */
function alludo(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const files: Record<string, string | undefined> = {
    'orgs.csv': csv(
      ALLUDO_ORGS,
      'district,District Office,local,',
      'services,Student Services,local,district',
      'school-1,North High,school,',
    ),
    'users.csv': csv(
      ALLUDO_USERS,
      'u1,E-1,Yes,Ada,Lane,ada@example.com,school-1,adult',
      'u2,E-2,No,Alan,Turing,alan@example.com,school-1,adult',
    ),
    'roles.csv': csv(ALLUDO_ROLES, 'r1,u1,primary,teacher,school-1', 'r2,u2,secondary,counselor,services'),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(files).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Packages rendered by the target itself (three employees; 1.2 with division -> department nesting). */
let oneRoster12: Record<string, string>;
let oneRoster121: Record<string, string>;

beforeAll(async () => {
  const three = SMALL_ROSTER.slice(0, 3);
  oneRoster12 = (await renderPackage(oneRosterConfig('oneroster-1.2', { parentOrgsFrom: 'division' }), three)).files;
  oneRoster121 = (await renderPackage(oneRosterConfig('oneroster-1.2.1'), three)).files;
});

/** The package with `from` replaced by `to` in one file; the text must be there. */
function edit(files: Record<string, string>, file: string, from: string | RegExp, to: string): Record<string, string> {
  const text = files[file] ?? '';
  const changed = text.replace(from, to);
  expect(changed, `${file} should contain ${String(from)}`).not.toBe(text);
  return { ...files, [file]: changed };
}

const ROLES_LIST =
  'aide, counselor, districtAdministrator, guardian, parent, principal, proctor, relative, siteAdministrator, ' +
  'student, systemAdministrator, teacher';

describe('validateOneRosterPackage', () => {
  it('passes well-formed packages of every profile, and an Alludo package without orgs.csv', () => {
    expect(validateOneRosterPackage(alludo(), 'alludo')).toEqual([]);
    expect(validateOneRosterPackage(oneRoster12, 'oneroster-1.2')).toEqual([]);
    expect(validateOneRosterPackage(oneRoster121, 'oneroster-1.2.1')).toEqual([]);
    expect(validateOneRosterPackage(alludo({ 'orgs.csv': undefined }), 'alludo')).toEqual([]);
  });

  it('header order: a scrambled header is named with the order the receiver expects', () => {
    const files = alludo({
      'roles.csv': csv('sourcedId,roleType,userSourcedId,role,orgSourcedId', 'r1,primary,u1,teacher,school-1'),
    });
    expect(validateOneRosterPackage(files, 'alludo')).toEqual([
      {
        file: 'roles.csv',
        line: 1,
        message: 'has its columns out of order; Alludo expects sourcedId,userSourcedId,roleType,role,orgSourcedId',
      },
    ]);
  });

  it('header completeness: missing, repeated and (for Alludo) unknown columns', () => {
    const files = alludo({
      'orgs.csv': csv(
        'sourcedId,name,type,type,status',
        'school-1,North High,school,school,active',
        'services,S,local,local,',
      ),
    });
    expect(validateOneRosterPackage(files, 'alludo')).toEqual([
      { file: 'orgs.csv', line: 1, column: 'type', message: 'repeats column "type"' },
      { file: 'orgs.csv', line: 1, column: 'parentSourcedId', message: 'is missing column "parentSourcedId"' },
      { file: 'orgs.csv', line: 1, column: 'status', message: 'has column "status", which Alludo does not define' },
    ]);
  });

  it('header extensions: OneRoster allows them to the right of the standard columns only', () => {
    const appended = {
      ...oneRoster121,
      'orgs.csv': (oneRoster121['orgs.csv'] ?? '')
        .replace(/\n/g, ',x\n')
        .replace('parentSourcedId,x', 'parentSourcedId,metadata.acme.code'),
    };
    expect(validateOneRosterPackage(appended, 'oneroster-1.2.1')).toEqual([]);
    const inserted = edit(oneRoster121, 'orgs.csv', 'sourcedId,status', 'sourcedId,metadata.acme.code,status');
    expect(validateOneRosterPackage(inserted, 'oneroster-1.2.1')).toEqual([
      { file: 'orgs.csv', line: 2, message: 'has 7 cells; the header has 8' },
      { file: 'orgs.csv', line: 3, message: 'has 7 cells; the header has 8' },
      {
        file: 'orgs.csv',
        line: 1,
        column: 'metadata.acme.code',
        message: 'has extension column "metadata.acme.code" among the standard columns; extensions go to their right',
      },
    ]);
  });

  it('manifest presence: a OneRoster package without manifest.csv is refused outright', () => {
    const { 'manifest.csv': _manifest, ...withoutManifest } = oneRoster12;
    expect(validateOneRosterPackage(withoutManifest, 'oneroster-1.2')).toEqual([
      { file: 'manifest.csv', message: 'is missing; a OneRoster package needs its manifest' },
    ]);
  });

  it('manifest consistency: the version must match the users.csv columns (1.2 has 23, 1.2.1 has 22)', () => {
    expect(validateOneRosterPackage(oneRoster12, 'oneroster-1.2.1')).toEqual([
      { file: 'manifest.csv', line: 3, column: 'value', message: 'oneroster.version must be 1.2.1' },
      {
        file: 'users.csv',
        line: 1,
        column: 'resourceSourcedIds',
        message: 'has extension column "resourceSourcedIds" among the standard columns; extensions go to their right',
      },
    ]);
  });

  it('manifest consistency: files marked bulk must be there, files marked absent must not', () => {
    const files = {
      ...edit(oneRoster12, 'manifest.csv', 'file.classes,absent', 'file.classes,bulk'),
      'userProfiles.csv': csv('sourcedId,status'),
      'notes.txt': 'hello\n',
    };
    expect(validateOneRosterPackage(files, 'oneroster-1.2')).toEqual([
      { file: 'classes.csv', message: 'is missing, but the manifest marks file.classes bulk' },
      { file: 'userProfiles.csv', message: 'is in the package but the manifest marks file.userProfiles absent' },
      { file: 'notes.txt', message: 'is in the package but not a file the manifest lists' },
    ]);
  });

  it('manifest consistency: properties known, unique and complete, values valid, source populated', () => {
    let files = edit(oneRoster12, 'manifest.csv', 'file.categories,absent\n', 'file.category,absent\nfile.orgs,bulk\n');
    files = edit(files, 'manifest.csv', 'source.systemCode,rosterflow', 'source.systemCode,');
    files = edit(files, 'manifest.csv', 'file.courses,absent', 'file.courses,full');
    files = edit(files, 'manifest.csv', 'manifest.version,1.0', 'manifest.version,1.1');
    expect(validateOneRosterPackage(files, 'oneroster-1.2')).toEqual([
      {
        file: 'manifest.csv',
        line: 5,
        column: 'propertyName',
        message: 'has property "file.category", which is not a OneRoster manifest property',
      },
      { file: 'manifest.csv', line: 16, column: 'propertyName', message: 'repeats property "file.orgs" (line 6)' },
      { file: 'manifest.csv', message: 'is missing property "file.categories"' },
      { file: 'manifest.csv', line: 2, column: 'value', message: 'manifest.version must be 1.0' },
      { file: 'manifest.csv', line: 27, column: 'value', message: 'source.systemCode must be populated' },
      { file: 'manifest.csv', line: 9, column: 'value', message: 'file.courses must be absent, bulk or delta' },
    ]);
  });

  it('enumerations (OneRoster): enabledUser, org type, roleType and role, with ext: values allowed', () => {
    let files = edit(oneRoster121, 'users.csv', ',,,true,', ',,,Yes,');
    files = edit(files, 'orgs.csv', ',,,Engineering,school,', ',,,Engineering,company,');
    files = edit(files, 'roles.csv', 'primary,teacher', 'main,administrator');
    expect(validateOneRosterPackage(files, 'oneroster-1.2.1')).toEqual([
      {
        file: 'orgs.csv',
        line: 2,
        column: 'type',
        message: 'must be one of department, school, district, local, state, national or an ext:<name> extension',
      },
      { file: 'users.csv', line: 2, column: 'enabledUser', message: 'must be one of true, false' },
      { file: 'roles.csv', line: 2, column: 'roleType', message: 'must be one of primary, secondary' },
      {
        file: 'roles.csv',
        line: 2,
        column: 'role',
        message: `must be one of ${ROLES_LIST} or an ext:<name> extension`,
      },
      { file: 'users.csv', line: 2, column: 'sourcedId', message: 'has no primary role in roles.csv' },
    ]);
    const extended = edit(
      edit(oneRoster121, 'orgs.csv', ',,,Engineering,school,', ',,,Engineering,ext:campus,'),
      'roles.csv',
      'primary,teacher',
      'primary,ext:staff',
    );
    expect(validateOneRosterPackage(extended, 'oneroster-1.2.1')).toEqual([]);
  });

  it('enumerations (Alludo): Yes/No unless configured otherwise, ageGroup, no ext: values', () => {
    let files = edit(alludo(), 'users.csv', 'Yes,Ada', 'true,Ada');
    files = edit(files, 'users.csv', 'school-1,adult\nu2', 'school-1,senior\nu2');
    files = edit(files, 'roles.csv', 'primary,teacher', 'primary,ext:staff');
    files = edit(files, 'orgs.csv', 'North High,school', 'North High,ext:campus');
    expect(validateOneRosterPackage(files, 'alludo')).toEqual([
      {
        file: 'orgs.csv',
        line: 4,
        column: 'type',
        message: 'must be one of department, school, district, local, state, national',
      },
      { file: 'users.csv', line: 2, column: 'enabledUser', message: 'must be one of Yes, No' },
      { file: 'users.csv', line: 2, column: 'ageGroup', message: 'must be one of adult, child' },
      { file: 'roles.csv', line: 2, column: 'role', message: `must be one of ${ROLES_LIST}` },
    ]);
    const trueFalse = edit(edit(alludo(), 'users.csv', 'Yes,Ada', 'true,Ada'), 'users.csv', 'No,Alan', 'false,Alan');
    expect(validateOneRosterPackage(trueFalse, 'alludo', { enabledUserEncoding: 'true-false' })).toEqual([]);
  });

  it('status and dates: blank in bulk files; populated, enumerated and ISO 8601 in delta files', () => {
    const bulk = edit(oneRoster121, 'roles.csv', /\n(role-[^,]*),,,/, '\n$1,active,2026-11-30T02:00:00.000Z,');
    expect(validateOneRosterPackage(bulk, 'oneroster-1.2.1')).toEqual([
      { file: 'roles.csv', line: 2, column: 'status', message: 'must be blank in a bulk file' },
      { file: 'roles.csv', line: 2, column: 'dateLastModified', message: 'must be blank in a bulk file' },
    ]);
    let delta = edit(oneRoster121, 'manifest.csv', 'file.roles,bulk', 'file.roles,delta');
    delta = edit(delta, 'roles.csv', /\n(role-[^,]*),,,/, '\n$1,deleted,2026-11-30 02:00,');
    delta = edit(delta, 'roles.csv', /\n(role-4002[^,]*),,,/, '\n$1,tobedeleted,2026-11-30T02:00:00Z,');
    delta = edit(delta, 'roles.csv', /\n(role-4003[^,]*),,,/, '\n$1,active,2026-11-30T02:00:00.123+01:00,');
    expect(validateOneRosterPackage(delta, 'oneroster-1.2.1')).toEqual([
      { file: 'roles.csv', line: 2, column: 'status', message: 'must be one of active, tobedeleted' },
      {
        file: 'roles.csv',
        line: 2,
        column: 'dateLastModified',
        message: 'must be an ISO 8601 date-time such as 2026-11-30T02:00:00.000Z',
      },
    ]);
    const dates = edit(
      edit(oneRoster121, 'roles.csv', '2019-03-01', '2019-02-29'),
      'roles.csv',
      '2026-06-30',
      '30/06/2026',
    );
    expect(validateOneRosterPackage(dates, 'oneroster-1.2.1')).toEqual([
      { file: 'roles.csv', line: 2, column: 'beginDate', message: 'must be a date as YYYY-MM-DD' },
      { file: 'roles.csv', line: 4, column: 'endDate', message: 'must be a date as YYYY-MM-DD' },
    ]);
  });

  it('date order: a role whose endDate is before its beginDate is refused, naming both dates', () => {
    const files = edit(oneRoster121, 'roles.csv', ',2012-01-09,2026-06-30,', ',2012-01-09,2011-12-31,');
    expect(validateOneRosterPackage(files, 'oneroster-1.2.1')).toEqual([
      {
        file: 'roles.csv',
        line: 4,
        column: 'endDate',
        message: 'is before beginDate: the role would end before it begins',
      },
    ]);
    // The same day is a role of one day, not an impossible one.
    const sameDay = edit(oneRoster121, 'roles.csv', ',2012-01-09,2026-06-30,', ',2012-01-09,2012-01-09,');
    expect(validateOneRosterPackage(sameDay, 'oneroster-1.2.1')).toEqual([]);
  });

  it('required cells and email addresses', () => {
    const files = edit(
      alludo(),
      'users.csv',
      'u1,E-1,Yes,Ada,Lane,ada@example.com',
      'u1,E-1,,,Lane,ada(at)example.com',
    );
    expect(validateOneRosterPackage(files, 'alludo')).toEqual([
      { file: 'users.csv', line: 2, column: 'enabledUser', message: 'is required' },
      { file: 'users.csv', line: 2, column: 'givenName', message: 'is required' },
      { file: 'users.csv', line: 2, column: 'email', message: 'is not a valid email address' },
    ]);
  });

  it('unique sourcedIds in every file, and unique emails (any case) for Alludo', () => {
    let files = edit(
      alludo(),
      'users.csv',
      'u2,E-2,No,Alan,Turing,alan@example.com',
      'u1,E-2,No,Alan,Turing,ADA@example.com',
    );
    files = edit(files, 'roles.csv', 'r2,u2', 'r1,u1');
    expect(validateOneRosterPackage(files, 'alludo')).toEqual([
      { file: 'users.csv', line: 3, column: 'sourcedId', message: 'repeats sourcedId "u1" of line 2' },
      { file: 'roles.csv', line: 3, column: 'sourcedId', message: 'repeats sourcedId "r1" of line 2' },
      {
        file: 'users.csv',
        line: 3,
        column: 'email',
        message: 'repeats the email address of line 2; Alludo needs a unique email per user',
      },
    ]);
  });

  it('referential integrity: roles’ users and orgs, users’ primary orgs, orgs’ parents', () => {
    let files = edit(alludo(), 'roles.csv', 'r1,u1,primary,teacher,school-1', 'r1,u9,primary,teacher,school-9');
    files = edit(files, 'users.csv', 'school-1,adult\nu2', 'school-7,adult\nu2');
    files = edit(
      files,
      'orgs.csv',
      'services,Student Services,local,district',
      'services,Student Services,local,region',
    );
    expect(validateOneRosterPackage(files, 'alludo')).toEqual([
      {
        file: 'orgs.csv',
        line: 3,
        column: 'parentSourcedId',
        message: 'refers to org "region", which orgs.csv does not define',
      },
      {
        file: 'users.csv',
        line: 2,
        column: 'primaryOrgSourcedId',
        message: 'refers to org "school-7", which orgs.csv does not define',
      },
      {
        file: 'roles.csv',
        line: 2,
        column: 'userSourcedId',
        message: 'refers to user "u9", which users.csv does not define',
      },
      {
        file: 'roles.csv',
        line: 2,
        column: 'orgSourcedId',
        message: 'refers to org "school-9", which orgs.csv does not define',
      },
    ]);
  });

  it('referential integrity (OneRoster): agents, user profiles, and an absent orgs file', () => {
    let files = edit(oneRoster121, 'users.csv', /(alan\.turing@example\.com,,,)/, '$14009');
    files = edit(files, 'roles.csv', /,\n$/, ',profile-1\n');
    expect(validateOneRosterPackage(files, 'oneroster-1.2.1')).toEqual([
      {
        file: 'users.csv',
        line: 4,
        column: 'agentSourcedIds',
        message: 'refers to user "4009", which users.csv does not define',
      },
      {
        file: 'roles.csv',
        line: 4,
        column: 'userProfileSourcedId',
        message: 'refers to user profile "profile-1", but this package has no userProfiles.csv',
      },
    ]);
    const { 'orgs.csv': _orgs, ...withoutOrgs } = edit(
      oneRoster121,
      'manifest.csv',
      'file.orgs,bulk',
      'file.orgs,absent',
    );
    const problems = validateOneRosterPackage(withoutOrgs, 'oneroster-1.2.1');
    expect(problems).toHaveLength(6);
    expect(problems[0]).toEqual({
      file: 'users.csv',
      line: 2,
      column: 'primaryOrgSourcedId',
      message: 'refers to org "org-engineering-9c5afbd0", but orgs.csv is absent',
    });
  });

  it('org trees: Alludo nests one level, groups only; OneRoster parents must not loop', () => {
    const nested = edit(
      alludo(),
      'orgs.csv',
      'school-1,North High,school,',
      'school-1,North High,school,district\nteam,Team,local,services',
    );
    expect(validateOneRosterPackage(nested, 'alludo')).toEqual([
      {
        file: 'orgs.csv',
        line: 4,
        column: 'parentSourcedId',
        message: 'gives a parent to an org that is not a group (local); Alludo nests groups only',
      },
      {
        file: 'orgs.csv',
        line: 5,
        column: 'parentSourcedId',
        message: 'nests below org "services", which has a parent itself; Alludo supports one level of nesting',
      },
    ]);
    const looped = edit(
      oneRoster12,
      'orgs.csv',
      /\n(org-emea-[0-9a-f]+),,,EMEA,school,,\n/,
      '\n$1,,,EMEA,school,,org-engineering-ec3f17c6\n',
    );
    expect(validateOneRosterPackage(looped, 'oneroster-1.2')).toEqual([
      {
        file: 'orgs.csv',
        line: 3,
        column: 'parentSourcedId',
        message: 'makes a parent chain that loops back to this org',
      },
      {
        file: 'orgs.csv',
        line: 4,
        column: 'parentSourcedId',
        message: 'makes a parent chain that loops back to this org',
      },
    ]);
  });

  it('primary roles: one per user at most, and exactly one for every OneRoster user', () => {
    const twice = edit(alludo(), 'roles.csv', 'r2,u2,secondary,counselor,services', 'r2,u1,primary,counselor,services');
    expect(validateOneRosterPackage(twice, 'alludo')).toEqual([
      {
        file: 'roles.csv',
        line: 3,
        column: 'roleType',
        message: 'is a second primary role of user "u1" (the first is on line 2); a user has one primary role',
      },
    ]);
    const none = edit(oneRoster121, 'roles.csv', /\nrole-4002[^\n]*/, '');
    expect(validateOneRosterPackage(none, 'oneroster-1.2.1')).toEqual([
      { file: 'users.csv', line: 3, column: 'sourcedId', message: 'has no primary role in roles.csv' },
    ]);
  });

  it('package contents (Alludo): other names would be ignored, users.csv and roles.csv are needed', () => {
    const files = { ...alludo({ 'users.csv': undefined }), 'Users.csv': 'x\n', 'manifest.csv': 'propertyName,value\n' };
    expect(validateOneRosterPackage(files, 'alludo')).toEqual([
      {
        file: 'Users.csv',
        message: 'is not a file Alludo reads (only orgs.csv, users.csv and roles.csv); it would be ignored',
      },
      {
        file: 'manifest.csv',
        message: 'is not a file Alludo reads (only orgs.csv, users.csv and roles.csv); it would be ignored',
      },
      { file: 'users.csv', message: 'is missing from the package' },
      { file: 'roles.csv', line: 2, column: 'userSourcedId', message: 'refers to user "u1", but users.csv is absent' },
      { file: 'roles.csv', line: 3, column: 'userSourcedId', message: 'refers to user "u2", but users.csv is absent' },
    ]);
  });

  it('CSV syntax: unclosed quotes, ragged rows, line breaks in cells, empty files and files without rows', () => {
    let files = edit(alludo(), 'users.csv', 'u2,E-2', 'u2,"E-2');
    files = edit(
      files,
      'roles.csv',
      'r2,u2,secondary,counselor,services',
      'r2,u2,secondary,counselor\n\nr3,u2,"x\ny",teacher,services',
    );
    expect(validateOneRosterPackage(files, 'alludo')).toEqual([
      { file: 'users.csv', line: 3, message: 'is not valid CSV (CSV_QUOTE_NOT_CLOSED)' },
      { file: 'roles.csv', line: 3, message: 'has 4 cells; the header has 5' },
      { file: 'roles.csv', line: 4, message: 'has 1 cell; the header has 5' },
      { file: 'roles.csv', line: 6, column: 'roleType', message: 'must not contain line breaks' },
      { file: 'roles.csv', line: 6, column: 'roleType', message: 'must be one of primary, secondary' },
    ]);
    expect(validateOneRosterPackage(alludo({ 'roles.csv': '' }), 'alludo')).toEqual([
      { file: 'roles.csv', message: 'is empty; the header row is required' },
    ]);
    const unknownOrg: unknown = expect.stringMatching(
      /^refers to org "org-[a-z-]+-[0-9a-f]{8}", which orgs.csv does not define$/,
    );
    const headerOnly = edit(oneRoster121, 'orgs.csv', /\n.*$/s, '\n');
    expect(validateOneRosterPackage(headerOnly, 'oneroster-1.2.1')).toEqual([
      { file: 'orgs.csv', message: 'has no data rows; mark it absent in the manifest and leave it out' },
      ...[2, 3, 4].map((line) => ({
        file: 'users.csv',
        line,
        column: 'primaryOrgSourcedId',
        message: unknownOrg,
      })),
      ...[2, 3, 4].map((line) => ({
        file: 'roles.csv',
        line,
        column: 'orgSourcedId',
        message: unknownOrg,
      })),
    ]);
  });

  it('is the pre-upload gate: a failing package stops the delivery with a permanent error naming where', () => {
    const config = oneRosterConfig('alludo');
    expect(() => assertValidOneRosterPackage(config, alludo())).not.toThrow();
    let files = edit(alludo(), 'users.csv', 'Yes,Ada,Lane', 'yes,Ada,Lane');
    files = edit(
      files,
      'roles.csv',
      'r1,u1,primary,teacher,school-1',
      'r1,u1,primary,teacher,school-1\nr1,u1,secondary,teacher,a\nr1,u1,secondary,teacher,b\nr1,u1,secondary,teacher,c\nr1,u1,secondary,teacher,d',
    );
    const failure = (() => {
      try {
        assertValidOneRosterPackage(config, files);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(RosterflowError);
    expect(failure).toMatchObject({ type: 'InvalidInput', retryable: false });
    expect((failure as Error).message).toBe(
      'Alludo: the package fails its validity check, so nothing was sent: ' +
        'users.csv line 2 enabledUser: must be one of Yes, No; ' +
        'roles.csv line 3 sourcedId: repeats sourcedId "r1" of line 2; ' +
        'roles.csv line 4 sourcedId: repeats sourcedId "r1" of line 2; ' +
        'roles.csv line 5 sourcedId: repeats sourcedId "r1" of line 2; ' +
        'roles.csv line 6 sourcedId: repeats sourcedId "r1" of line 2 (and 4 more)',
    );
  });
});
