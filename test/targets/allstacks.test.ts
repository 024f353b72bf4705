import { Buffer } from 'node:buffer';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bufferSource } from '../../io/streamed-form';
import { createSecretResolver } from '../../io/secrets';
import type { Employee } from '../../core/employee';
import { RosterflowError } from '../../core/errors';
import {
  ALLSTACKS_UPLOAD_WINDOW_MS,
  allstacksRateLimitWaitMs,
  allstacksUploadLockKey,
  allstacksUploadPath,
  createAllstacksHttpClient,
  uploadRoster,
} from '../../targets/allstacks/client';
import { AllstacksTargetConfigSchema } from '../../targets/allstacks/config';
import type { AllstacksTargetConfig } from '../../targets/allstacks/config';
import { createAllstacksLayouts } from '../../targets/allstacks/layout';
import type { ArtifactLayout } from '../../targets/sdk/layout';
import { renderArtifacts } from '../../targets/sdk/render';
import { ALLSTACKS_ORG_ID, ALLSTACKS_PASSWORD, ALLSTACKS_USERNAME, AllstacksFake } from '../fakes/allstacks/server';

const env = { ALLSTACKS_PASSWORD, ALLSTACKS_WRONG_PASSWORD: 'not-the-password-981' };
const resolveSecret = createSecretResolver(env);
const UPLOAD_PATH = `/api/v1/organization/${ALLSTACKS_ORG_ID}/service_user_tag_hierarchy/upload_employee_tags`;

function allstacksConfig(overrides: Record<string, unknown> = {}): AllstacksTargetConfig {
  return AllstacksTargetConfigSchema.parse({
    type: 'allstacks',
    organizationId: ALLSTACKS_ORG_ID,
    username: ALLSTACKS_USERNAME,
    password: { env: 'ALLSTACKS_PASSWORD' },
    tags: [
      { category: 'Department', field: 'department' },
      { category: 'Role', field: 'jobTitle' },
      { category: 'Team', field: 'customFields.team' },
      { category: 'Team', field: 'customFields.squad' },
    ],
    ...overrides,
  });
}

const employees: Employee[] = [
  {
    sourceId: '1',
    workEmail: 'ada.lane@example.com',
    status: 'active',
    department: 'Engineering',
    jobTitle: 'Engineer',
    customFields: { team: 'Platform', squad: 'Payments' },
  },
  {
    sourceId: '2',
    workEmail: 'grace.hopper@example.com',
    status: 'leave',
    department: 'People',
    customFields: { team: '=HYPERLINK("http://evil.example")' },
  },
  { sourceId: '3', workEmail: 'alan.turing@example.com', status: 'inactive', department: 'Finance' },
  { sourceId: '4', workEmail: 'radia.perlman@example.com', status: 'pending', department: 'Sales' },
  {
    sourceId: '5',
    workEmail: 'Frances.Allen@example.com',
    status: 'active',
    department: 'Sales, EMEA',
    jobTitle: 'Engineer',
    customFields: { team: '   ', squad: '@mentions' },
  },
];

/** What the real render step writes for these employees, and its outcome (rejections included). */
async function render(layout: ArtifactLayout, people: readonly Employee[]) {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const outcome = await renderArtifacts([layout], Readable.from([people]), () =>
    Promise.resolve({ id: 'artifact', stream: sink }),
  );
  return { csv: Buffer.concat(chunks).toString('utf8'), outcome };
}

function onlyLayout(config: AllstacksTargetConfig): ArtifactLayout {
  const layouts = createAllstacksLayouts(config);
  expect(layouts).toHaveLength(1);
  return layouts[0]!;
}

describe('Allstacks layout', () => {
  it('writes Email then the categories in config order, repeats included, blanks, and tags as they are', async () => {
    const layout = onlyLayout(allstacksConfig());
    expect(layout.fileName).toBe('allstacks-roster.csv');
    const { csv, outcome } = await render(layout, employees);
    expect(outcome).toMatchObject({ rendered: 3, filteredOut: 2, rejected: 0 });
    expect(csv).toBe(
      [
        'Email,Department,Role,Team,Team',
        'ada.lane@example.com,Engineering,Engineer,Platform,Payments',
        `grace.hopper@example.com,People,,"=HYPERLINK(""http://evil.example"")",`,
        `Frances.Allen@example.com,"Sales, EMEA",Engineer,,@mentions`,
        '',
      ].join('\n'),
    );
  });

  it('lists leavers and people not yet started only when statuses name them', () => {
    const layout = onlyLayout(allstacksConfig({ statuses: ['active', 'inactive'], tags: [] }));
    expect(layout.headers).toEqual(['Email']);
    expect(employees.flatMap((employee) => layout.rowsFor(employee))).toEqual([
      ['ada.lane@example.com'],
      ['alan.turing@example.com'],
      ['Frances.Allen@example.com'],
    ]);
  });

  it('has the render step reject a missing or repeated (in any case) Email', async () => {
    const layout = onlyLayout(allstacksConfig());
    expect(layout.checks).toEqual({ required: ['Email'], emails: ['Email'], unique: ['Email'] });
    const { csv, outcome } = await render(layout, [
      employees[0]!,
      { sourceId: '9', status: 'active', department: 'Sales' },
      { sourceId: '10', status: 'active', workEmail: 'ADA.LANE@example.com' },
    ]);
    expect(outcome).toMatchObject({
      rendered: 1,
      rejected: 2,
      rejections: [
        { row: 'employee 9', field: 'Email', reason: 'is required in allstacks-roster.csv' },
        { row: 'employee 10', field: 'Email', reason: 'repeats a value an earlier row of allstacks-roster.csv has' },
      ],
    });
    expect(csv).toBe('Email,Department,Role,Team,Team\nada.lane@example.com,Engineering,Engineer,Platform,Payments\n');
  });
});

describe('Allstacks config', () => {
  it('defaults to the public tenant, non-destructive flags and active plus leave', () => {
    const config = AllstacksTargetConfigSchema.parse({
      type: 'allstacks',
      organizationId: 17,
      username: 'api-user',
      password: { file: '/run/secrets/allstacks' },
    });
    expect(config).toEqual({
      type: 'allstacks',
      baseUrl: 'https://app.allstacks.com',
      organizationId: '17',
      username: 'api-user',
      password: { file: '/run/secrets/allstacks' },
      tags: [],
      flags: {
        reconcileTags: false,
        enableUsers: true,
        disableUsers: false,
        deleteTagCategories: false,
        deleteTags: false,
      },
      escapeFormulas: false,
      uploadWindowSeconds: 300,
      statuses: ['active', 'leave'],
    });
    expect(allstacksUploadPath(config)).toBe('/api/v1/organization/17/service_user_tag_hierarchy/upload_employee_tags');
    expect(allstacksUploadLockKey(config)).toBe('allstacks:app.allstacks.com:17');
  });

  it('keeps flags given in part and fills the rest with the defaults', () => {
    expect(allstacksConfig({ flags: { disableUsers: true } }).flags).toEqual({
      reconcileTags: false,
      enableUsers: true,
      disableUsers: true,
      deleteTagCategories: false,
      deleteTags: false,
    });
  });

  it.each([
    [{ tags: [{ category: 'email', field: 'department' }] }, 'tags.0.category', 'is the email column'],
    [{ tags: [{ category: '=cmd', field: 'department' }] }, 'tags.0.category', 'must not start with = + - @'],
    [{ tags: [{ category: ' Role', field: 'jobTitle' }] }, 'tags.0.category', 'must not start or end with spaces'],
    [{ tags: [{ category: 'Role', field: 'salary' }] }, 'tags.0.field', 'must be an employee field'],
    [
      {
        tags: [
          { category: 'Team', field: 'department' },
          { category: 'team', field: 'division' },
        ],
      },
      'tags.1.category',
      'differs only in case from "Team"',
    ],
    [{ statuses: ['leave'] }, 'statuses', 'must include active'],
    [{ tags: [], flags: { reconcileTags: true } }, 'flags.reconcileTags', 'needs at least one entry in tags'],
    [{ tags: [], flags: { deleteTagCategories: true } }, 'flags.deleteTagCategories', 'needs at least one entry'],
    [{ flags: { disable_users: true } }, 'flags', 'Unrecognized key'],
    [{ organizationId: '12/../3' }, 'organizationId', 'must be the id from the URL'],
    [{ baseUrl: 'ftp://app.allstacks.com' }, 'baseUrl', 'must be https (or http on a loopback address)'],
    // The password goes in every request's Basic auth header.
    [{ baseUrl: 'http://app.allstacks.com' }, 'baseUrl', 'must be https (or http on a loopback address)'],
  ])('rejects %j at %s', (overrides, path, message) => {
    const result = AllstacksTargetConfigSchema.safeParse({
      type: 'allstacks',
      organizationId: '1',
      username: 'u',
      password: { env: 'P' },
      tags: [{ category: 'Role', field: 'jobTitle' }],
      ...overrides,
    });
    expect(result.success).toBe(false);
    const issue = result.error?.issues.find((candidate) => candidate.path.join('.') === path);
    expect(issue?.message).toContain(message);
  });
});

describe('Allstacks upload against the fake', () => {
  let fake: AllstacksFake;
  beforeAll(async () => {
    fake = await AllstacksFake.start([ALLSTACKS_ORG_ID, '77']);
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    // Each test starts in a fresh window, with no faults or switches left over.
    fake.advance(ALLSTACKS_UPLOAD_WINDOW_MS);
    fake.http.clearFaults();
    fake.sendRetryAfter = true;
    fake.forbidden = false;
  });

  function config(overrides: Record<string, unknown> = {}) {
    return allstacksConfig({ baseUrl: fake.baseUrl, ...overrides });
  }

  async function upload(target: AllstacksTargetConfig, csv = 'Email,Role\nada@example.com,Engineer\n') {
    const client = await createAllstacksHttpClient(target, resolveSecret);
    return uploadRoster(client, target, { csv: bufferSource(Buffer.from(csv)), fileName: 'allstacks-roster.csv' });
  }

  it('sends the file as it is, all five flags as sent, with Basic auth, and Allstacks applies it', async () => {
    const target = config({
      flags: {
        reconcileTags: true,
        enableUsers: true,
        disableUsers: false,
        deleteTagCategories: false,
        deleteTags: true,
      },
    });
    const { csv } = await render(onlyLayout(target), employees);
    const before = fake.uploads.length;

    await expect(upload(target, csv)).resolves.toEqual({ kind: 'uploaded', status: 200 });

    const request = fake.http.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(UPLOAD_PATH);
    expect(request.headers.authorization).toBe(
      `Basic ${Buffer.from(`${ALLSTACKS_USERNAME}:${ALLSTACKS_PASSWORD}`).toString('base64')}`,
    );
    expect(fake.uploads).toHaveLength(before + 1);
    const received = fake.uploads.at(-1)!;
    expect(received).toMatchObject({
      organizationId: ALLSTACKS_ORG_ID,
      fileName: 'allstacks-roster.csv',
      csv,
      applied: true,
      flags: {
        reconcile_tags: true,
        enable_users: true,
        disable_users: false,
        delete_tag_categories: false,
        delete_tags: true,
      },
    });
    expect(fake.contributor(ALLSTACKS_ORG_ID, 'ada.lane@example.com')).toEqual({
      email: 'ada.lane@example.com',
      enabled: true,
      tags: { Department: ['Engineering'], Role: ['Engineer'], Team: ['Platform', 'Payments'] },
    });
    // Blank cells are ignored; a tag that looks like a formula arrives as it is (escapeFormulas is off).
    expect(fake.contributor(ALLSTACKS_ORG_ID, 'grace.hopper@example.com')?.tags).toEqual({
      Department: ['People'],
      Team: [`=HYPERLINK("http://evil.example")`],
    });
    expect(fake.notices.at(-1)).toMatchObject({ kind: 'completed', organizationId: ALLSTACKS_ORG_ID });
  });

  it("stores a tag -Ops as -Ops; with escapeFormulas: true it would be the tag '-Ops", async () => {
    const ops: Employee[] = [
      {
        sourceId: '1',
        workEmail: 'ada.lane@example.com',
        status: 'active',
        department: '-Ops',
        jobTitle: '+1 Engineer',
      },
    ];
    for (const [escapeFormulas, stored] of [
      [false, { Department: ['-Ops'], Role: ['+1 Engineer'] }],
      [true, { Department: ["'-Ops"], Role: ["'+1 Engineer"] }],
    ] as const) {
      const target = config({ escapeFormulas, flags: { reconcileTags: true } });
      const { csv } = await render(onlyLayout(target), ops);
      fake.advance(ALLSTACKS_UPLOAD_WINDOW_MS);
      await expect(upload(target, csv)).resolves.toEqual({ kind: 'uploaded', status: 200 });
      expect(fake.contributor(ALLSTACKS_ORG_ID, 'ada.lane@example.com')?.tags).toEqual(stored);
    }
  });

  it('puts a tag with a line break or tab on one line, as every target does', async () => {
    const target = config({ flags: { reconcileTags: true } });
    const broken: Employee[] = [
      {
        sourceId: '1',
        workEmail: 'ada.lane@example.com',
        status: 'active',
        department: 'Research\r\nand\tDevelopment',
        customFields: { team: 'Plat\n\nform\n' },
      },
    ];
    const { csv } = await render(onlyLayout(target), broken);
    expect(csv).toBe('Email,Department,Role,Team,Team\nada.lane@example.com,Research and Development,,Plat form,\n');
    await expect(upload(target, csv)).resolves.toEqual({ kind: 'uploaded', status: 200 });
    expect(fake.contributor(ALLSTACKS_ORG_ID, 'ada.lane@example.com')?.tags).toEqual({
      Department: ['Research and Development'],
      Team: ['Plat form'],
    });
  });

  it('sends every flag explicitly, false ones included', async () => {
    await upload(config());
    expect(fake.uploads.at(-1)!.flags).toEqual({
      reconcile_tags: false,
      enable_users: true,
      disable_users: false,
      delete_tag_categories: false,
      delete_tags: false,
    });
    const body = fake.http.requests.at(-1)!.body;
    for (const name of ['reconcile_tags', 'enable_users', 'disable_users', 'delete_tag_categories', 'delete_tags']) {
      expect(body).toContain(`name="${name}"`);
    }
  });

  it('reports a 429 with the wait its Retry-After (seconds) asked for', async () => {
    await expect(upload(config())).resolves.toMatchObject({ kind: 'uploaded' });
    fake.advance(60_000);
    const result = await upload(config());
    expect(result).toEqual({ kind: 'rateLimited', retryAfterMs: 240_000 });
    expect(allstacksRateLimitWaitMs(result as { retryAfterMs: number | undefined })).toBe(240_000);
  });

  it('reports a 429 without Retry-After as an unknown wait, which means the whole window', async () => {
    fake.sendRetryAfter = false;
    await upload(config());
    const result = await upload(config());
    expect(result).toEqual({ kind: 'rateLimited', retryAfterMs: undefined });
    expect(allstacksRateLimitWaitMs({ retryAfterMs: undefined })).toBe(5 * 60 * 1000);
  });

  it('fails a 401 as a non-retryable auth error with the vendor words and no secret', async () => {
    const error = await upload(config({ password: { env: 'ALLSTACKS_WRONG_PASSWORD' } })).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RosterflowError);
    expect(error).toMatchObject({ type: 'TargetAuthFailed', retryable: false, httpStatus: 401 });
    expect((error as Error).message).toBe(
      `Allstacks: POST ${UPLOAD_PATH} rejected the credentials (HTTP 401): Invalid username/password.`,
    );
    expect((error as Error).message).not.toContain(env.ALLSTACKS_WRONG_PASSWORD);
  });

  it('fails a 403 as a non-retryable auth error', async () => {
    fake.forbidden = true;
    await expect(upload(config())).rejects.toMatchObject({
      type: 'TargetAuthFailed',
      retryable: false,
      message: `Allstacks: POST ${UPLOAD_PATH} denied access (check the API user's permissions) (HTTP 403): You do not have permission to perform this action.`,
    });
  });

  it.each([503, 500])('does not retry the POST after HTTP %i, and fails retryable', async (status) => {
    const attempts = fake.uploadAttempts();
    const received = fake.uploads.length;
    fake.failNextUploads(3, status);
    await expect(upload(config())).rejects.toMatchObject({
      type: 'TargetUnavailable',
      retryable: true,
      httpStatus: status,
    });
    expect(fake.uploadAttempts()).toBe(attempts + 1);
    expect(fake.uploads).toHaveLength(received);
  });

  it('fails an unknown organisation as a rejected request', async () => {
    await expect(upload(config({ organizationId: '999' }))).rejects.toMatchObject({
      type: 'TargetRequestRejected',
      retryable: false,
      message:
        'Allstacks: POST /api/v1/organization/999/service_user_tag_hierarchy/upload_employee_tags was rejected (HTTP 404): Not found.',
    });
  });

  it('refuses a 200 HTML page (a sign-in redirect) as no upload', async () => {
    const target = config();
    fake.http.injectFault({
      times: 1,
      response: { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html>Sign in</html>' },
    });
    await expect(upload(target)).rejects.toMatchObject({ type: 'TargetInvalidResponse', retryable: false });
  });
});

describe('Allstacks fake', () => {
  let fake: AllstacksFake;
  beforeAll(async () => {
    fake = await AllstacksFake.start(['1', '2', '3', '4', '5', '6']);
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.advance(ALLSTACKS_UPLOAD_WINDOW_MS));

  async function send(orgId: string, csv: string, flags: Record<string, string> = {}, withFile = true) {
    const target = allstacksConfig({ baseUrl: fake.baseUrl, organizationId: orgId });
    const client = await createAllstacksHttpClient(target, resolveSecret);
    const form = new FormData();
    if (withFile) form.append('file', new Blob([csv], { type: 'text/csv' }), 'roster.csv');
    for (const [name, value] of Object.entries(flags)) form.append(name, value);
    return client.request('POST', allstacksUploadPath(target), { multipart: form });
  }

  it('allows one upload per organisation per 300 s on its own clock', async () => {
    await expect(send('1', 'Email\nada@example.com\n')).resolves.toMatchObject({ status: 200 });
    await expect(send('2', 'Email\nada@example.com\n')).resolves.toMatchObject({ status: 200 });
    fake.advance(299_000);
    await expect(send('1', 'Email\nada@example.com\n')).rejects.toMatchObject({
      type: 'RateLimited',
      retryAfterMs: 1_000,
      message: `Allstacks: POST /api/v1/organization/1/service_user_tag_hierarchy/upload_employee_tags is rate limited (HTTP 429); it asked to wait 1s`,
    });
    fake.advance(1_000);
    await expect(send('1', 'Email\nada@example.com\n')).resolves.toMatchObject({ status: 200 });
  });

  it('answers 400 for a missing file and for a flag that is not true or false', async () => {
    await expect(send('1', '', { enable_users: 'true' }, false)).rejects.toMatchObject({
      type: 'TargetRequestRejected',
      message: expect.stringMatching(/\(HTTP 400\): file: No file was submitted\.$/) as unknown,
    });
    fake.advance(ALLSTACKS_UPLOAD_WINDOW_MS);
    await expect(send('1', 'Email\na@example.com\n', { disable_users: 'yes' })).rejects.toMatchObject({
      message: expect.stringMatching(/\(HTTP 400\): disable_users: Must be a valid boolean\.$/) as unknown,
    });
  });

  it('accepts a malformed file but applies nothing and emails a failure notice', async () => {
    const count = fake.notices.length;
    await expect(send('3', 'Name,Role\nAda,Engineer\n')).resolves.toMatchObject({ status: 200 });
    fake.advance(ALLSTACKS_UPLOAD_WINDOW_MS);
    await expect(send('3', 'Email,Role\na@example.com,Engineer,extra\n')).resolves.toMatchObject({ status: 200 });
    fake.advance(ALLSTACKS_UPLOAD_WINDOW_MS);
    await expect(send('3', '\uFEFFEmail,Role\na@example.com,Engineer\n')).resolves.toMatchObject({ status: 200 });
    expect(fake.notices.slice(count).map((notice) => [notice.kind, notice.message.split(':')[0]])).toEqual([
      ['failed', 'The first column header must be Email.'],
      ['failed', 'The CSV file could not be read'],
      ['failed', 'The first column header must be Email.'],
    ]);
    expect(fake.contributors('3')).toEqual([]);
    expect(fake.uploads.filter((upload) => upload.organizationId === '3').map((upload) => upload.applied)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('accepts the legacy first header and repeated category columns', async () => {
    await send('4', 'User Work Email Address,Geography,Function,Function\nada@example.com,EMEA,Platform,Security\n');
    expect(fake.contributors('4')).toEqual([
      { email: 'ada@example.com', enabled: false, tags: { Geography: ['EMEA'], Function: ['Platform', 'Security'] } },
    ]);
  });

  it('reconciles tags, enables listed people and disables the rest as flagged', async () => {
    fake.seedContributor('5', 'ada@example.com', { tags: { Role: ['Engineer', 'Mentor'], Site: ['Berlin'] } });
    fake.seedContributor('5', 'bob@example.com', { tags: { Role: ['Sales'] } });
    fake.seedContributor('5', 'eve@example.com', { enabled: false });
    await send('5', 'Email,Role\nADA@example.com,Engineer\neve@example.com,Finance\n', {
      reconcile_tags: 'true',
      enable_users: 'true',
      disable_users: 'true',
    });
    expect(fake.contributors('5')).toEqual([
      { email: 'ada@example.com', enabled: true, tags: { Role: ['Engineer'], Site: ['Berlin'] } },
      { email: 'bob@example.com', enabled: false, tags: { Role: ['Sales'] } },
      { email: 'eve@example.com', enabled: true, tags: { Role: ['Finance'] } },
    ]);
  });

  it('deletes unlisted tags and categories only when asked, and spots repeated uploads', async () => {
    fake.seedContributor('6', 'bob@example.com', { tags: { Role: ['Sales'], Site: ['Berlin'] } });
    const csv = 'Email,Role\nada@example.com,Engineer\n';
    await send('6', csv);
    expect(fake.categories('6')).toEqual({ Role: ['Engineer', 'Sales'], Site: ['Berlin'] });
    fake.advance(ALLSTACKS_UPLOAD_WINDOW_MS);
    await send('6', csv, { delete_tags: 'true', delete_tag_categories: 'true' });
    expect(fake.categories('6')).toEqual({ Role: ['Engineer'] });
    expect(fake.contributor('6', 'bob@example.com')).toEqual({ email: 'bob@example.com', enabled: true, tags: {} });
    const duplicatesFor6 = () => fake.duplicateUploads().filter((upload) => upload.organizationId === '6');
    expect(duplicatesFor6()).toEqual([]);
    fake.advance(ALLSTACKS_UPLOAD_WINDOW_MS);
    await send('6', csv, { delete_tags: 'true', delete_tag_categories: 'true' });
    expect(duplicatesFor6()).toHaveLength(1);
  });
});
