import { Buffer } from 'node:buffer';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CsvDropConfigSchema } from '../../connectors/csv-drop/config';
import type { CsvEncoding } from '../../connectors/csv-drop/config';
import { createDecoder } from '../../connectors/csv-drop/decode';
import { createCsvDropSource } from '../../connectors/csv-drop/source';
import type { RetryPolicy } from '../../connectors/csv-drop/readers/reader';
import type { SourceDeps } from '../../connectors/sdk/source';
import { LocalDropFake } from '../fakes/sftp/local-drop';
import { PEOPLE_CSV_COLUMNS, encodeText } from '../fakes/sftp/people-csv';
import {
  SFTP_CLIENT_KEY,
  SFTP_DROP_PATH,
  SFTP_ENCRYPTED_CLIENT_KEY,
  SFTP_KEY_PASSPHRASE,
  SFTP_PASSWORD,
  SFTP_USER,
  SftpFake,
} from '../fakes/sftp/server';
import { collect, describeSourceConformance, testSourceDeps } from '../support/source-conformance';
import { failureOf } from '../support/failure-of';

const env = {
  SFTP_PASSWORD,
  SFTP_WRONG_PASSWORD: 'not-the-sftp-password-77',
  SFTP_KEY: SFTP_CLIENT_KEY.private,
  SFTP_ENCRYPTED_KEY: SFTP_ENCRYPTED_CLIENT_KEY.private,
  SFTP_KEY_PASSPHRASE,
  SFTP_WRONG_PASSPHRASE: 'not-the-passphrase-12',
};
const deps = testSourceDeps(env);
/** Retries in milliseconds, not seconds. */
const FAST_RETRY: RetryPolicy = { attempts: 4, backoffMs: 10 };

/** The export's header names, plus a custom field. */
const mapping = { columns: PEOPLE_CSV_COLUMNS, customFields: { team: 'Team' } };

function localSource(fake: LocalDropFake, overrides: Record<string, unknown> = {}) {
  const config = CsvDropConfigSchema.parse({ type: 'csv', path: fake.path, pageSize: 7, ...mapping, ...overrides });
  return createCsvDropSource(config, deps, { retry: FAST_RETRY, openLocalFile: fake.openFile });
}

function sftpSource(
  fake: SftpFake,
  overrides: { sftp?: Record<string, unknown> } & Record<string, unknown> = {},
  sourceDeps: Pick<SourceDeps, 'resolveSecret'> = deps,
) {
  const { sftp, ...rest } = overrides;
  const config = CsvDropConfigSchema.parse({
    type: 'csv',
    path: SFTP_DROP_PATH,
    pageSize: 7,
    ...mapping,
    ...rest,
    sftp: {
      host: fake.host,
      port: fake.port,
      username: SFTP_USER,
      password: { env: 'SFTP_PASSWORD' },
      hostKeySha256: fake.hostKeySha256,
      ...sftp,
    },
  });
  return createCsvDropSource(config, sourceDeps, { retry: FAST_RETRY });
}

const ids = (pages: { records: { sourceId: string }[] }[]) =>
  pages.flatMap((page) => page.records.map((record) => record.sourceId));

describeSourceConformance({
  name: 'CSV drop (local file)',
  startFake: () => LocalDropFake.start(),
  // A local file has no credentials: "wrong" is a file the worker's user may not read.
  createSource: (fake, _deps, credentials) =>
    localSource(fake, credentials === 'wrong' ? { path: fake.deniedPath } : {}),
  secretValues: [],
  rosterSize: 23,
  env,
});

describeSourceConformance({
  name: 'CSV drop (SFTP)',
  startFake: () => SftpFake.start(),
  createSource: (fake, _deps, credentials) =>
    sftpSource(fake, credentials === 'wrong' ? { sftp: { password: { env: 'SFTP_WRONG_PASSWORD' } } } : {}),
  secretValues: [SFTP_PASSWORD, env.SFTP_WRONG_PASSWORD],
  rosterSize: 23,
  env,
});

describe('CSV drop over SFTP', () => {
  let fake: SftpFake;
  beforeAll(async () => {
    fake = await SftpFake.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.fileOptions = { encoding: 'utf-8', bom: false, delimiter: ',', lineEnding: '\n' };
    fake.rateLimitFault = 'reset';
  });

  /** Every session the connector opened has been closed (the server sees the socket close a moment later). */
  const allSessionsClosed = () => vi.waitFor(() => expect(fake.openConnections()).toBe(0), { timeout: 2_000 });

  it('maps the export header to canonical fields, field by field, and keeps the raw status word', async () => {
    fake.fileOptions = { encoding: 'utf-8', bom: true, delimiter: ';', lineEnding: '\r\n' };
    fake.seed(12);
    const records = (await collect(sftpSource(fake, { delimiter: ';' }))).flatMap((page) => page.records);
    expect(records).toHaveLength(12);
    const leaver = fake.people.find((person) => person.status === 'inactive')!;
    expect(records.find((record) => record.sourceId === leaver.id)).toEqual({
      sourceId: leaver.id,
      employeeNumber: leaver.employeeNumber,
      firstName: leaver.firstName,
      lastName: leaver.lastName,
      ...(leaver.preferredName ? { preferredName: leaver.preferredName } : {}),
      workEmail: leaver.email,
      status: 'inactive',
      rawStatus: 'Terminated',
      hireDate: leaver.hireDate,
      terminationDate: '2026-06-30',
      jobTitle: leaver.jobTitle,
      department: leaver.department,
      division: leaver.division,
      location: leaver.location,
      costCenter: leaver.costCenter,
      employmentType: leaver.employmentType,
      managerSourceId: '4001',
      updatedAt: leaver.updatedAt,
      customFields: { team: `Squad ${Number(leaver.id) % 3}` },
      // The line its row starts on (the header is line 1), so the render can name it like the source does.
      sourceLine: fake.people.indexOf(leaver) + 2,
    });
    const first = records[0]!;
    expect(first).toMatchObject({ sourceId: '4001', preferredName: 'Ada', status: 'active', rawStatus: 'Active' });
    expect(first.managerSourceId).toBeUndefined();
    expect(records.map((record) => record.rawStatus)).toContain('Pre-hire');
    expect(records.map((record) => record.rawStatus)).toContain('On Leave');
    await allSessionsClosed();
  });

  it('authenticates with a private key, and with an encrypted one and its passphrase', async () => {
    fake.seed(9);
    const plain = sftpSource(fake, { sftp: { password: undefined, privateKey: { env: 'SFTP_KEY' } } });
    expect(ids(await collect(plain))).toHaveLength(9);
    const encrypted = sftpSource(fake, {
      sftp: {
        password: undefined,
        privateKey: { env: 'SFTP_ENCRYPTED_KEY' },
        passphrase: { env: 'SFTP_KEY_PASSPHRASE' },
      },
    });
    await encrypted.check();
    await allSessionsClosed();
  });

  it('reads the private key from a secret file', async () => {
    fake.seed(3);
    const dir = await LocalDropFake.start();
    const keyFile = join(dir.dir, 'id_ed25519');
    await writeFile(keyFile, SFTP_CLIENT_KEY.private);
    try {
      const source = sftpSource(fake, { sftp: { password: undefined, privateKey: { file: keyFile } } });
      expect(ids(await collect(source))).toHaveLength(3);
    } finally {
      await dir.close();
    }
  });

  it('refuses a wrong password or key as SourceAuthFailed naming the server and user, never the secret', async () => {
    fake.seed(3);
    const before = fake.authFailures;
    const password = await failureOf(() =>
      sftpSource(fake, { sftp: { password: { env: 'SFTP_WRONG_PASSWORD' } } }).check(),
    );
    expect(password.message).toBe(
      `csv source: the SFTP server 127.0.0.1:${fake.port} refused the password of user "hr-export"`,
    );
    expect(password.retryable).toBe(false);

    const strangerKey = 'SFTP_STRANGER_KEY';
    const { utils } = await import('ssh2');
    const stranger = utils.generateKeyPairSync('ed25519').private;
    const key = await failureOf(() =>
      collect(
        sftpSource(
          fake,
          { sftp: { password: undefined, privateKey: { env: strangerKey } } },
          testSourceDeps({ ...env, [strangerKey]: stranger }),
        ),
      ),
    );
    expect(key.type).toBe('SourceAuthFailed');
    expect(key.message).toBe(
      `csv source: the SFTP server 127.0.0.1:${fake.port} refused the private key of user "hr-export"`,
    );
    expect(fake.authFailures - before).toBe(2);

    const passphrase = await failureOf(() =>
      sftpSource(fake, {
        sftp: {
          password: undefined,
          privateKey: { env: 'SFTP_ENCRYPTED_KEY' },
          passphrase: { env: 'SFTP_WRONG_PASSPHRASE' },
        },
      }).check(),
    );
    expect(passphrase.type).toBe('SourceAuthFailed');
    expect(passphrase.message).toBe(
      'csv source: source.sftp.privateKey cannot be used (a wrong or missing source.sftp.passphrase)',
    );
    for (const failure of [password, key, passphrase]) {
      for (const secret of [env.SFTP_WRONG_PASSWORD, env.SFTP_WRONG_PASSPHRASE, stranger]) {
        expect(failure.message).not.toContain(secret);
      }
    }
    await allSessionsClosed();
  });

  it('accepts the pinned host key in ssh-keygen form, and refuses a server presenting another before authenticating', async () => {
    fake.seed(3);
    await sftpSource(fake, { sftp: { hostKeySha256: fake.hostKeySha256 } }).check();
    const otherPin = Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '');
    const attemptsBefore = fake.authAttempts;
    const connectionsBefore = fake.connections;
    const failure = await failureOf(() => sftpSource(fake, { sftp: { hostKeySha256: otherPin } }).check());
    expect(failure.type).toBe('SourceAuthFailed');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe(
      `csv source: the SFTP server 127.0.0.1:${fake.port} presented host key ${fake.hostKeySha256}, not the pinned ` +
        `source.sftp.hostKeySha256 SHA256:${otherPin}; refusing to connect (a replaced server or an outdated pin)`,
    );
    // The password never went to the server that failed the pin, and the refusal was not retried.
    expect(fake.authAttempts).toBe(attemptsBefore);
    expect(fake.connections - connectionsBefore).toBe(1);
    await allSessionsClosed();
  });

  it('reports a missing remote file as retryable SourceUnavailable with its path, after one session', async () => {
    fake.seed(3);
    const before = fake.connections;
    const failure = await failureOf(() => collect(sftpSource(fake, { path: '/outbound/people-2026-11-30.csv' })));
    expect(failure.type).toBe('SourceUnavailable');
    expect(failure.retryable).toBe(true);
    expect(failure.message).toBe(
      `csv source: no file at /outbound/people-2026-11-30.csv on sftp://hr-export@127.0.0.1:${fake.port}`,
    );
    expect(fake.connections - before).toBe(1);
    await allSessionsClosed();
  });

  it('refuses an unreadable remote file as SourceAuthFailed naming the user', async () => {
    fake.put('/outbound/payroll.csv', 'sourceId,status\n1,Active\n');
    fake.unreadable.add('/outbound/payroll.csv');
    const failure = await failureOf(() => collect(sftpSource(fake, { path: '/outbound/payroll.csv' })));
    expect(failure.type).toBe('SourceAuthFailed');
    expect(failure.message).toBe(
      `csv source: permission denied reading /outbound/payroll.csv on sftp://hr-export@127.0.0.1:${fake.port}; ` +
        'the SFTP user "hr-export" must be able to read /outbound/payroll.csv',
    );
  });

  it.each(['reset', 'close', 'drop'] as const)(
    'rides out connections the server turns away (%s) with a bounded retry',
    async (fault) => {
      fake.seed(10);
      fake.refuseNext(3, fault);
      const before = fake.connections;
      expect(ids(await collect(sftpSource(fake)))).toHaveLength(10);
      expect(fake.connections - before).toBe(4);
      await allSessionsClosed();
    },
  );

  it('gives up after the last attempt with a retryable SourceUnavailable', async () => {
    fake.seed(3);
    fake.refuseNext(4, 'reset');
    const before = fake.connections;
    const failure = await failureOf(() => collect(sftpSource(fake)));
    expect(failure.type).toBe('SourceUnavailable');
    expect(failure.retryable).toBe(true);
    expect(failure.message).toMatch(
      // The reset lands during the TCP connect or the SSH banner exchange, whichever the kernel reports first.
      new RegExp(
        `^csv source: cannot (reach the SFTP server|open an SFTP session with) 127\\.0\\.0\\.1:${fake.port} \\(.+\\) after 4 attempts$`,
      ),
    );
    expect(fake.connections - before).toBe(4);
  });

  it('reports a port nobody listens on as SourceUnavailable (connection refused)', async () => {
    const closed = await SftpFake.start();
    const port = closed.port;
    await closed.close();
    const failure = await failureOf(() => collect(sftpSource(fake, { sftp: { port } })));
    expect(failure.message).toBe(
      `csv source: cannot reach the SFTP server 127.0.0.1:${port} (ECONNREFUSED) after 4 attempts`,
    );
  });

  it('streams the file and closes the session when the consumer stops early', async () => {
    // Large enough (2.5 MB) that what the reading and the parsing thread buffer ahead is a small part.
    fake.seed(30_000);
    const size = fake.files.get(SFTP_DROP_PATH)!.length;
    fake.bytesServed = 0;
    const source = sftpSource(fake, { pageSize: 10 });
    for await (const page of source.listEmployees()) {
      expect(page.records).toHaveLength(10);
      break;
    }
    await allSessionsClosed();
    expect(fake.openHandles).toBe(0);
    // Only what the parser pulled (a few 64 KiB reads) was transferred, not the whole file.
    expect(fake.bytesServed).toBeLessThan(size / 4);
  });

  it('closes the session when a listing fails mid-file and when it is cancelled', async () => {
    fake.put(SFTP_DROP_PATH, `${Object.values(PEOPLE_CSV_COLUMNS).join(',')}\n4001,"unclosed\n`);
    const malformed = await failureOf(() => collect(sftpSource(fake, { customFields: {} })));
    expect(malformed.type).toBe('InvalidInput');
    await allSessionsClosed();

    fake.seed(3_000);
    const controller = new AbortController();
    const cancelled = (async () => {
      for await (const _page of sftpSource(fake, { pageSize: 10 }).listEmployees({ signal: controller.signal })) {
        controller.abort();
      }
    })();
    await expect(cancelled).rejects.toThrow(/aborted/i);
    await allSessionsClosed();
  });

  it('reads a UTF-16LE export with its byte-order mark over SFTP', async () => {
    fake.fileOptions = { encoding: 'utf-16le', bom: true, delimiter: '\t', lineEnding: '\r\n' };
    fake.seed(12);
    const records = (await collect(sftpSource(fake, { encoding: 'utf-16le', delimiter: '\t' }))).flatMap(
      (page) => page.records,
    );
    expect(records.map((record) => record.lastName)).toEqual(fake.people.map((person) => person.lastName));
    expect(records.some((record) => record.lastName?.startsWith('Müller'))).toBe(true);
  });
});

describe('CSV drop encodings and local files', () => {
  let fake: LocalDropFake;
  beforeAll(async () => {
    fake = await LocalDropFake.start();
  });
  afterAll(() => fake.close());

  const unicodeNames = (records: { lastName?: string | undefined }[]) =>
    records.map((record) => record.lastName).filter((name) => /[^ -~]/.test(name ?? ''));

  const cases: { encoding: CsvEncoding; bom: boolean }[] = [
    { encoding: 'utf-8', bom: false },
    { encoding: 'utf-8', bom: true },
    { encoding: 'utf-16le', bom: false },
    { encoding: 'utf-16le', bom: true },
    { encoding: 'utf-16be', bom: false },
    { encoding: 'utf-16be', bom: true },
    { encoding: 'windows-1252', bom: false },
    { encoding: 'latin1', bom: false },
  ];
  it.each(cases)('reads $encoding (byte-order mark: $bom), non-ASCII names intact', async ({ encoding, bom }) => {
    fake.fileOptions = { encoding, bom, delimiter: ',', lineEnding: '\r\n' };
    fake.seed(24);
    const pages = await collect(localSource(fake, { encoding }));
    const records = pages.flatMap((page) => page.records);
    expect(pages.flatMap((page) => page.rejected)).toEqual([]);
    expect(records.map((record) => record.sourceId)).toEqual(fake.people.map((person) => person.id));
    // The first header survives (no BOM glued to "Employee ID") and umlauts decode.
    expect(unicodeNames(records)).toEqual(unicodeNames(fake.people));
    expect(unicodeNames(records).length).toBeGreaterThan(0);
  });

  it('decodes the same text whatever the chunk boundaries (BOM, multi-byte characters, surrogate pairs)', async () => {
    const unicode = 'Employee ID,Name\r\n1,Zoë Müller\r\n2,Łukasz 😀\r\n3,Ada\r\n';
    const western = 'Employee ID,Name\r\n1,Zoë Müller\r\n2,Jürgen ½\r\n';
    for (const { encoding, bom } of cases) {
      const sample = encoding.startsWith('utf') ? unicode : western;
      const bytes = encodeText(sample, { encoding, bom });
      for (const size of [1, 2, 3, 5]) {
        const chunks: Buffer[] = [];
        for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
        expect(await text(Readable.from(chunks).pipe(createDecoder(encoding))), `${encoding} in ${size}s`).toBe(sample);
      }
    }
  });

  it('fails a byte-order mark that contradicts source.encoding, naming the right one', async () => {
    fake.fileOptions = { encoding: 'utf-16le', bom: true, delimiter: ',', lineEnding: '\n' };
    fake.seed(3);
    const utf16AsUtf8 = await failureOf(() => collect(localSource(fake)));
    expect(utf16AsUtf8.type).toBe('InvalidInput');
    expect(utf16AsUtf8.message).toBe(
      'csv source: the file starts with a UTF-16LE byte-order mark but source.encoding is utf-8; set it to utf-16le',
    );
    fake.fileOptions = { encoding: 'utf-8', bom: true, delimiter: ',', lineEnding: '\n' };
    fake.seed(3);
    const utf8AsAnsi = await failureOf(() => collect(localSource(fake, { encoding: 'windows-1252' })));
    expect(utf8AsAnsi.message).toBe(
      'csv source: the file starts with a UTF-8 byte-order mark but source.encoding is windows-1252; set it to utf-8',
    );
  });

  it('fails UTF-16 without a byte-order mark read as UTF-8 (NUL bytes), rather than reading garbage', async () => {
    fake.fileOptions = { encoding: 'utf-16le', bom: false, delimiter: ',', lineEnding: '\n' };
    fake.seed(3);
    const failure = await failureOf(() => collect(localSource(fake)));
    expect(failure.message).toBe(
      'csv source: the file contains NUL bytes, as UTF-16 text does, but source.encoding is utf-8; set it to utf-16le or utf-16be',
    );
  });

  it('fails invalid UTF-8 as InvalidInput naming the line, never with replacement characters', async () => {
    const header = 'sourceId,lastName,status\n';
    const good = (n: number) => `${n},Name${n},Active\n`;
    // A Windows-1252 "ü" (0xFC) in a file declared UTF-8, on line 4.
    await writeFile(
      fake.path,
      Buffer.concat([
        Buffer.from(header + good(1) + good(2)),
        Buffer.from([0x33, 0x2c, 0x4d, 0xfc, 0x6c]),
        Buffer.from(',Active\n'),
      ]),
    );
    const failure = await failureOf(() => collect(localSource(fake, { columns: {}, customFields: {} })));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe(
      'csv source: the file is not valid UTF-8 at line 4 (an invalid byte sequence); check source.encoding',
    );
  });

  it('names the right line when the bad byte lies beyond the first chunks, even split across a chunk boundary', async () => {
    const lines = ['sourceId,lastName,status'];
    for (let n = 1; n <= 4_000; n += 1) lines.push(`${n},Name${n},Active`);
    const before = Buffer.from(`${lines.join('\n')}\n3999,Na`);
    // 0xC3 0xBC is a valid "ü"; 0xC3 0x28 is not. Put the bad pair exactly on the 64 KiB read boundary.
    const padding = Buffer.alloc(64 * 1024 * 2 - before.length - 1, 'x');
    const text = Buffer.concat([before, padding, Buffer.from([0xc3, 0x28]), Buffer.from(',Active\n')]);
    await writeFile(fake.path, text);
    const failure = await failureOf(() => collect(localSource(fake, { columns: {}, customFields: {} })));
    expect(failure.message).toBe(
      'csv source: the file is not valid UTF-8 at line 4002 (an invalid byte sequence); check source.encoding',
    );
  });

  it('fails bytes Windows-1252 does not define, and a UTF-16 file cut in the middle of a character', async () => {
    await writeFile(fake.path, Buffer.from('sourceId,status\n1,Active\n2,Act\x81ive\n', 'latin1'));
    const ansi = await failureOf(() =>
      collect(localSource(fake, { encoding: 'windows-1252', columns: {}, customFields: {} })),
    );
    expect(ansi.message).toBe(
      'csv source: the file is not valid Windows-1252 at line 3 (a byte the encoding does not define); check source.encoding',
    );
    const utf16 = encodeText('sourceId,status\n1,Active\n', { encoding: 'utf-16le', bom: true });
    await writeFile(fake.path, utf16.subarray(0, utf16.length - 1));
    const cut = await failureOf(() =>
      collect(localSource(fake, { encoding: 'utf-16le', columns: {}, customFields: {} })),
    );
    expect(cut.message).toBe(
      'csv source: the file is not valid UTF-16LE at line 2 (it ends in the middle of a character); check source.encoding',
    );
  });

  it('retries a locked file a bounded number of times, then fails retryable', async () => {
    fake.fileOptions = { encoding: 'utf-8', bom: false, delimiter: ',', lineEnding: '\n' };
    fake.seed(5);
    fake.rateLimitNext(3);
    expect(ids(await collect(localSource(fake)))).toHaveLength(5);
    fake.rateLimitNext(4);
    const before = fake.opens;
    const failure = await failureOf(() => collect(localSource(fake)));
    expect(failure.type).toBe('SourceUnavailable');
    expect(failure.retryable).toBe(true);
    expect(failure.message).toBe(`csv source: ${fake.path} cannot be opened (EBUSY) after 4 attempts`);
    expect(fake.opens - before).toBe(4);
  });

  it('refuses a file the worker may not read as SourceAuthFailed, and a missing one at once, naming source.path', async () => {
    const denied = await failureOf(() => collect(localSource(fake, { path: fake.deniedPath })));
    expect(denied.type).toBe('SourceAuthFailed');
    expect(denied.message).toBe(
      `csv source: permission denied reading ${fake.deniedPath} (EACCES); the worker's user must be able to read it`,
    );
    const before = fake.opens;
    const missing = await failureOf(() => collect(localSource(fake, { path: join(fake.dir, 'tomorrow.csv') })));
    expect(missing.type).toBe('SourceUnavailable');
    expect(missing.retryable).toBe(false);
    expect(missing.message).toBe(
      `csv source: no file at ${join(fake.dir, 'tomorrow.csv')} (source.path; a relative path is read from the config file's folder)`,
    );
    // One open, no in-process retries.
    expect(fake.opens - before).toBe(1);
  });
});

describe('CSV drop config', () => {
  const base = { type: 'csv', path: '/outbound/people.csv' };
  const sftp = { host: 'sftp.example.com', username: 'hr' };

  it('needs exactly one of password and privateKey, and a passphrase only with a key', () => {
    const issues = (value: Record<string, unknown>) =>
      CsvDropConfigSchema.safeParse({ ...base, sftp: { ...sftp, ...value } }).error?.issues.map((issue) => [
        issue.path.join('.'),
        issue.message,
      ]);
    expect(issues({})).toEqual([['sftp', 'needs exactly one of password and privateKey']]);
    expect(issues({ password: { env: 'A' }, privateKey: { env: 'B' } })).toEqual([
      ['sftp', 'needs exactly one of password and privateKey'],
    ]);
    expect(issues({ password: { env: 'A' }, passphrase: { env: 'B' } })).toEqual([
      ['sftp.passphrase', 'passphrase is only used with privateKey'],
    ]);
    expect(issues({ privateKey: { file: '/run/secrets/key' }, passphrase: { env: 'B' } })).toBeUndefined();
  });

  it('defaults the port to 22 and keeps the host key pin bare, accepting ssh-keygen output', () => {
    const pin = 'nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';
    const parsed = CsvDropConfigSchema.parse({
      ...base,
      sftp: { ...sftp, password: { env: 'P' }, hostKeySha256: `SHA256:${pin}` },
    });
    expect(parsed.sftp).toMatchObject({ port: 22, hostKeySha256: pin });
    // Parsing the parsed config again (as activities do) gives the same pin.
    expect(CsvDropConfigSchema.parse(parsed).sftp?.hostKeySha256).toBe(pin);
    expect(
      CsvDropConfigSchema.safeParse({ ...base, sftp: { ...sftp, password: { env: 'P' }, hostKeySha256: 'MD5:ab:cd' } })
        .success,
    ).toBe(false);
  });
});
