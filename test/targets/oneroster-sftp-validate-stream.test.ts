import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertValidOneRosterPackage, assertValidOneRosterStreams } from '../../targets/oneroster-sftp/deliver';
import type { OneRosterProfile } from '../../targets/oneroster-sftp/profiles';
import { validateOneRosterPackage } from '../../targets/oneroster-sftp/validate';
import { validateOneRosterStreams } from '../../targets/oneroster-sftp/validate-stream';
import type { PackageSource } from '../../targets/oneroster-sftp/validate-stream';
import { SMALL_ROSTER, oneRosterConfig, renderPackage } from '../fakes/oneroster-sftp/fixtures';

/**
 * The stream check must find the same problems however the bytes arrive (both checks run the same
 * reads, so this proves the chunking; what the problems are is pinned in oneroster-sftp-validate.test.ts).
 */
const csv = (...lines: string[]) => `${lines.join('\n')}\n`;

const ALLUDO_ORGS = 'sourcedId,name,type,parentSourcedId';
const ALLUDO_USERS = 'sourcedId,identifier,enabledUser,givenName,familyName,email,primaryOrgSourcedId,ageGroup';
const ALLUDO_ROLES = 'sourcedId,userSourcedId,roleType,role,orgSourcedId';

/** An Alludo package with a BOM, multibyte names and one of most kinds of problem. */
const alludoWithProblems: Record<string, string> = {
  'orgs.csv': csv(
    ALLUDO_ORGS,
    'district,Bézier District,local,',
    'services,Ärzte & Co,local,district',
    'school-1,北高校,school,services',
    'district,Repeated 😀,local,',
  ),
  'users.csv': `\uFEFF${csv(
    ALLUDO_USERS,
    'u1,E-1,Yes,Zoë,Ñúñez,zoe@example.com,school-1,adult',
    'u2,E-2,yes,Łukasz,Żółć,lukasz@example.com,school-9,adult',
    'u1,E-3,No,李,小龍,ZOE@example.com,school-1,adult',
    'u4,E-4,No,"Émile',
    '",Zola,emile@example.com,district,adult',
    'u5,E-5,Yes,😀,🎉,party@example.com,school-1',
  )}`,
  'roles.csv': csv(
    ALLUDO_ROLES,
    'r1,u1,primary,teacher,school-1',
    'r2,u1,primary,counselor,services',
    'r1,u9,secondary,teacher,school-7',
    'r3,u2,secondary,teacher,school-1',
  ),
};

/** Each file as a stream of `size`-byte chunks: rows, BOMs and UTF-8 characters split anywhere. */
function chunked(files: Record<string, string>, size: number): PackageSource[] {
  return Object.entries(files).map(([name, text]) => ({
    name,
    open: () => {
      const bytes = Buffer.from(text, 'utf8');
      const parts: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
      return Readable.from(parts);
    },
  }));
}

let oneRoster121: Record<string, string>;
beforeAll(async () => {
  oneRoster121 = (await renderPackage(oneRosterConfig('oneroster-1.2.1'), SMALL_ROSTER)).files;
});

/**
 * The rendered 1.2.1 package with an agent named ahead of its own row (fine), one never defined, and a
 * user without a primary role: the checks that take a second read of users.csv.
 */
function oneRosterWithProblems(): Record<string, string> {
  const users = (oneRoster121['users.csv'] ?? '')
    .replace(/(ada\.lane@example\.com,,,)/, '$14003')
    .replace(/(alan\.turing@example\.com,,,)/, '$1"4001,4099"');
  const roles = (oneRoster121['roles.csv'] ?? '').replace(/\nrole-4002[^\n]*/, '');
  expect(users).not.toBe(oneRoster121['users.csv']);
  expect(roles).not.toBe(oneRoster121['roles.csv']);
  return { ...oneRoster121, 'users.csv': users, 'roles.csv': roles };
}

describe('validateOneRosterStreams', () => {
  it('finds the same problems in a file fed in small chunks, split mid-row and mid-character', async () => {
    const cases: [Record<string, string>, OneRosterProfile][] = [
      [alludoWithProblems, 'alludo'],
      [oneRosterWithProblems(), 'oneroster-1.2.1'],
      // An unclosed quote at the end: the file's earlier row problems give way to that one.
      [{ ...alludoWithProblems, 'users.csv': `${alludoWithProblems['users.csv']}u6,"E-6\n` }, 'alludo'],
    ];
    for (const [files, profile] of cases) {
      const expected = validateOneRosterPackage(files, profile);
      expect(expected.length).toBeGreaterThan(1);
      for (const size of [1, 2, 3, 5, 7, 64, 1 << 20]) {
        const streamed = await validateOneRosterStreams(chunked(files, size), profile);
        expect(streamed, `${profile} in chunks of ${size} bytes`).toEqual({
          problems: expected,
          count: expected.length,
        });
      }
    }
    // What the cases hold, so the comparison is not between two empty lists.
    expect(validateOneRosterPackage(alludoWithProblems, 'alludo')).toEqual(
      expect.arrayContaining([
        { file: 'users.csv', line: 3, column: 'enabledUser', message: 'must be one of Yes, No' },
        { file: 'users.csv', line: 4, column: 'sourcedId', message: 'repeats sourcedId "u1" of line 2' },
        { file: 'users.csv', line: 6, column: 'givenName', message: 'must not contain line breaks' },
        { file: 'users.csv', line: 7, message: 'has 7 cells; the header has 8' },
        {
          file: 'users.csv',
          line: 4,
          column: 'email',
          message: 'repeats the email address of line 2; Alludo needs a unique email per user',
        },
        {
          file: 'roles.csv',
          line: 3,
          column: 'roleType',
          message: 'is a second primary role of user "u1" (the first is on line 2); a user has one primary role',
        },
      ]),
    );
    expect(validateOneRosterPackage(oneRosterWithProblems(), 'oneroster-1.2.1')).toEqual([
      {
        file: 'users.csv',
        line: 4,
        column: 'agentSourcedIds',
        message: 'refers to user "4099", which users.csv does not define',
      },
      { file: 'users.csv', line: 3, column: 'sourcedId', message: 'has no primary role in roles.csv' },
    ]);
  });

  it('finds a bad role at the end of a 200,000-user package, on its line, naming the repeated first line', async () => {
    const users = 200_000;
    const rows = function* (header: string, row: (index: number) => string, last?: string): Generator<string> {
      yield `${header}\n`;
      let batch = '';
      for (let index = 0; index < users; index += 1) {
        batch += `${row(index)}\n`;
        if (batch.length > 60_000) {
          yield batch;
          batch = '';
        }
      }
      yield `${batch}${last ?? ''}`;
    };
    const files: PackageSource[] = [
      { name: 'orgs.csv', open: () => Readable.from([csv(ALLUDO_ORGS, 'school-1,North High,school,')]) },
      {
        name: 'users.csv',
        open: () =>
          Readable.from(
            rows(ALLUDO_USERS, (index) => `u${index},E-${index},Yes,Zoë,Ñúñez,u${index}@example.com,school-1,adult`),
          ),
      },
      {
        name: 'roles.csv',
        open: () =>
          Readable.from(
            rows(
              ALLUDO_ROLES,
              (index) => `r${index},u${index},primary,teacher,school-1`,
              'r7,u-gone,secondary,teacher,school-1\n',
            ),
          ),
      },
    ];
    const line = users + 2;
    expect(await validateOneRosterStreams(files, 'alludo', { keep: 5 })).toEqual({
      problems: [
        { file: 'roles.csv', line, column: 'sourcedId', message: 'repeats sourcedId "r7" of line 9' },
        {
          file: 'roles.csv',
          line,
          column: 'userSourcedId',
          message: 'refers to user "u-gone", which users.csv does not define',
        },
      ],
      count: 2,
    });
  });

  it('keeps only the problems the gate names, and still counts the rest', async () => {
    const config = oneRosterConfig('alludo');
    const users = Array.from(
      { length: 3_000 },
      (_, index) => `u${index},E-${index},yes,A,B,u${index}@example.com,,adult`,
    );
    const roles = Array.from({ length: 3_000 }, (_, index) => `r${index},u${index},primary,teacher,`);
    const files = {
      'users.csv': csv(ALLUDO_USERS, ...users),
      'roles.csv': csv(ALLUDO_ROLES, ...roles),
    };
    const failure = await assertValidOneRosterStreams(config, chunked(files, 4096)).catch((err: unknown) => err);
    expect((failure as Error).message).toBe(
      'Alludo: the package fails its validity check, so nothing was sent: ' +
        'users.csv line 2 enabledUser: must be one of Yes, No; ' +
        'users.csv line 3 enabledUser: must be one of Yes, No; ' +
        'users.csv line 4 enabledUser: must be one of Yes, No; ' +
        'users.csv line 5 enabledUser: must be one of Yes, No; ' +
        'users.csv line 6 enabledUser: must be one of Yes, No (and 5995 more)',
    );
    expect(() => assertValidOneRosterPackage(config, files)).toThrow((failure as Error).message);
    expect(validateOneRosterPackage(files, 'alludo')).toHaveLength(6_000);
  });
});
