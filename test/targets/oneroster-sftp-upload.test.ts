import { Buffer } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSecretResolver } from '../../io/secrets';
import { OneRosterSftpSchema } from '../../targets/oneroster-sftp/config';
import {
  oneRosterLocation,
  resolveOneRosterSftp as resolveSftpSettings,
  uploadOneRosterPackage,
} from '../../targets/oneroster-sftp/deliver';
import { uploadFiles } from '../../targets/oneroster-sftp/upload';
import type { UploadCheckpoint, UploadFile, UploadRequest } from '../../targets/oneroster-sftp/upload';
import { validateOneRosterPackage } from '../../targets/oneroster-sftp/validate';
import {
  SMALL_ROSTER,
  manyEmployees,
  oneRosterConfig,
  renderPackage,
  uploadFilesOf,
} from '../fakes/oneroster-sftp/fixtures';
import {
  ALLUDO_CLIENT_KEY,
  ALLUDO_SFTP_PASSWORD,
  ALLUDO_SFTP_USER,
  AlludoSftpFake,
} from '../fakes/oneroster-sftp/server';
import { failureOf } from '../support/failure-of';

const env = {
  ALLUDO_PASSWORD: ALLUDO_SFTP_PASSWORD,
  WRONG_PASSWORD: 'not-the-alludo-password-19',
  ALLUDO_KEY: ALLUDO_CLIENT_KEY.private,
};
const resolveSecret = createSecretResolver(env);
const RUN_ID = 'run-7';
const nested = { parentOrgsFrom: 'division' };

let fake: AlludoSftpFake;
beforeEach(async () => {
  fake = await AlludoSftpFake.start();
});
afterEach(() => fake.close());

async function upload(
  files: UploadFile[],
  options: Partial<Omit<UploadRequest, 'sftp'>> & { sftp?: Record<string, unknown> } = {},
) {
  const { sftp: sftpOverrides, ...rest } = options;
  const sftp = OneRosterSftpSchema.parse({
    host: fake.host,
    port: fake.port,
    username: ALLUDO_SFTP_USER,
    password: { env: 'ALLUDO_PASSWORD' },
    hostKeySha256: fake.hostKeySha256,
    ...sftpOverrides,
  });
  return uploadFiles({
    sftp: await resolveSftpSettings(sftp, resolveSecret),
    directory: sftp.directory,
    runId: RUN_ID,
    files,
    vendor: 'Alludo',
    ...rest,
  });
}

const temp = (name: string) => `.${name}.rosterflow-${RUN_ID}.part`;
const bytesTo = (path: string, writes: readonly { path: string; length: number }[]) =>
  writes.filter((write) => write.path === path).reduce((sum, write) => sum + write.length, 0);

describe('uploadFiles into the Alludo SFTP fake', () => {
  it('keeps what it receives on disk, byte for byte, and removes it when it closes', async () => {
    const { files } = await renderPackage(oneRosterConfig('alludo'), manyEmployees(1500));
    await upload(uploadFilesOf(files));
    const users = fake.fs.files.get('/users.csv')!;
    expect(readFileSync(users.blob, 'utf8')).toBe(files['users.csv']);
    expect(users.size).toBe(Buffer.byteLength(files['users.csv'] ?? ''));
    await fake.close();
    expect(existsSync(users.blob)).toBe(false);
  });

  it('delivers a rendered package that Alludo processes: users, nested groups, a leaver’s access removed', async () => {
    const { files } = await renderPackage(oneRosterConfig('alludo', nested), SMALL_ROSTER);
    const result = await upload(uploadFilesOf(files));

    const sizes = Object.values(files).map((text) => Buffer.byteLength(text));
    expect(result).toEqual({
      files: Object.keys(files).map((name, at) => ({ name, bytes: sizes[at], bytesSent: sizes[at], resumedAt: 0 })),
      bytesSent: sizes.reduce((sum, size) => sum + size, 0),
      renamedWith: ['posix-rename', 'posix-rename', 'posix-rename'],
      staleTempFilesRemoved: 0,
    });
    expect(fake.listing()).toEqual(['orgs.csv', 'roles.csv', 'users.csv']);
    for (const [name, text] of Object.entries(files)) expect(fake.file(name)).toBe(text);

    const tick = fake.processTick();
    expect(tick.errors).toEqual([]);
    expect(tick.ignored).toEqual([]);
    expect(fake.orgs().map((org) => [org.name, org.type, org.parentSourcedId !== undefined])).toEqual([
      ['Americas', 'local', false],
      ['EMEA', 'local', false],
      ['Engineering', 'local', true],
      ['Student Services', 'local', true],
    ]);
    expect(fake.users().map((user) => [user.sourcedId, user.hasAccess])).toEqual([
      ['4001', true],
      ['4002', true],
      ['4003', false],
      ['4004', true],
    ]);
    expect(tick.accessRemoved).toEqual(['4003']);
    expect(fake.roles()).toHaveLength(3);
    // The session was closed: nothing stays connected between runs.
    await vi.waitFor(() => expect(fake.openConnections()).toBe(0), { timeout: 2_000 });
  });

  it('never lets a processing run see a temporary file, half a file, or a missing file', async () => {
    const before = (await renderPackage(oneRosterConfig('alludo', nested), manyEmployees(300))).files;
    await upload(uploadFilesOf(before), { runId: 'run-6' });
    const after = (await renderPackage(oneRosterConfig('alludo', nested), manyEmployees(1200))).files;
    expect(Buffer.byteLength(after['users.csv'] ?? '')).toBeGreaterThan(100_000);

    // A processing run between every two requests that change the folder.
    const changes: string[] = [];
    fake.onChange = (kind) => {
      changes.push(kind);
      fake.processTick();
    };
    await upload(uploadFilesOf(after));

    expect(fake.ticks.length).toBeGreaterThan(10);
    for (const tick of fake.ticks) {
      expect(Object.keys(tick.processed).sort()).toEqual(['orgs.csv', 'roles.csv', 'users.csv']);
      for (const [name, text] of Object.entries(tick.processed)) expect([before[name], after[name]]).toContain(text);
      expect(tick.ignored.every((name) => /^\.(orgs|users|roles)\.csv\.rosterflow-run-7\.part$/.test(name))).toBe(true);
      expect(tick.errors).toEqual([]);
    }
    // Every file was complete before the first rename, and the renames went orgs, users, roles.
    expect(changes.lastIndexOf('write')).toBeLessThan(changes.indexOf('rename'));
    expect(fake.renames.slice(-3)).toEqual(
      ['orgs.csv', 'users.csv', 'roles.csv'].map((name) => ({ from: `/${temp(name)}`, to: `/${name}` })),
    );
    expect(fake.listing()).toEqual(['orgs.csv', 'roles.csv', 'users.csv']);
    expect(fake.users()).toHaveLength(1200);
  });

  it('falls back to remove-and-rename where posix-rename is not offered and RENAME will not overwrite', async () => {
    const { files } = await renderPackage(oneRosterConfig('alludo'), SMALL_ROSTER);
    fake.advertisePosixRename = false;
    expect((await upload(uploadFilesOf(files), { runId: 'first' })).renamedWith).toEqual([
      'rename',
      'rename',
      'rename',
    ]);
    expect((await upload(uploadFilesOf(files))).renamedWith).toEqual([
      'remove-and-rename',
      'remove-and-rename',
      'remove-and-rename',
    ]);
    expect(fake.removed).toEqual(['/orgs.csv', '/users.csv', '/roles.csv']);
    fake.behaviour.renameOverwrites = true;
    expect((await upload(uploadFilesOf(files), { runId: 'third' })).renamedWith).toEqual([
      'rename',
      'rename',
      'rename',
    ]);
    for (const [name, text] of Object.entries(files)) expect(fake.file(name)).toBe(text);
  });

  it('resumes after a dropped connection from the checkpoint, sending only what was left', async () => {
    const { files } = await renderPackage(oneRosterConfig('alludo', nested), manyEmployees(1500));
    const [orgs, users, roles] = ['orgs.csv', 'users.csv', 'roles.csv'].map((name) =>
      Buffer.byteLength(files[name] ?? ''),
    );
    // The store hands out 10 000-byte chunks; the server dies 45 000 bytes into users.csv, after
    // acknowledging 40 000 of them and applying half of the next write without answering it.
    fake.dropAfterBytes(orgs! + 45_000);
    const progress: UploadCheckpoint[] = [];
    const failure = await failureOf(() => upload(uploadFilesOf(files), { onProgress: (at) => progress.push(at) }));
    expect(failure.type).toBe('TargetUnavailable');
    expect(failure.retryable).toBe(true);
    expect(failure.message).toBe(
      `Alludo: the connection to 127.0.0.1:${fake.port} was lost while writing ${temp('users.csv')}; ` +
        'the next attempt resumes from the last checkpoint',
    );
    const checkpoint = progress.at(-1);
    expect(checkpoint).toEqual({ fileIndex: 1, byteOffset: 40_000 });
    // Alludo sees nothing yet: the partial files have names it ignores.
    expect(fake.processTick()).toMatchObject({ processed: {}, ignored: [temp('orgs.csv'), temp('users.csv')] });

    const writesBefore = fake.writes.length;
    const opened: { name: string; offset: number }[] = [];
    const result = await upload(uploadFilesOf(files, opened), { ...(checkpoint ? { checkpoint } : {}) });
    const resent = fake.writes.slice(writesBefore);
    expect(opened).toEqual([
      { name: 'users.csv', offset: 40_000 },
      { name: 'roles.csv', offset: 0 },
    ]);
    expect(bytesTo(`/${temp('orgs.csv')}`, resent)).toBe(0);
    expect(bytesTo(`/${temp('users.csv')}`, resent)).toBe(users! - 40_000);
    expect(bytesTo(`/${temp('roles.csv')}`, resent)).toBe(roles);
    expect(result.bytesSent).toBe(users! - 40_000 + roles!);
    expect(result.files.map((file) => [file.name, file.resumedAt])).toEqual([
      ['orgs.csv', orgs],
      ['users.csv', 40_000],
      ['roles.csv', 0],
    ]);
    for (const [name, text] of Object.entries(files)) expect(fake.file(name)).toBe(text);
    expect(
      validateOneRosterPackage(
        Object.fromEntries(Object.keys(files).map((name) => [name, fake.file(name) ?? ''])),
        'alludo',
      ),
    ).toEqual([]);
    expect(fake.processTick().errors).toEqual([]);
  });

  it('starts a file again when its temporary copy no longer reaches the checkpoint', async () => {
    const { files } = await renderPackage(oneRosterConfig('alludo'), manyEmployees(1500));
    const orgs = Buffer.byteLength(files['orgs.csv'] ?? '');
    fake.dropAfterBytes(orgs + 45_000);
    let checkpoint: UploadCheckpoint | undefined;
    await failureOf(() => upload(uploadFilesOf(files), { onProgress: (at) => (checkpoint = at) }));
    expect(checkpoint).toEqual({ fileIndex: 1, byteOffset: 40_000 });
    // The server lost the tail of the partial file (a restart before it reached the disk).
    const partial = fake.fs.files.get(`/${temp('users.csv')}`);
    if (partial) partial.data = partial.data.subarray(0, 1000);

    const opened: { name: string; offset: number }[] = [];
    await upload(uploadFilesOf(files, opened), { ...(checkpoint ? { checkpoint } : {}) });
    expect(opened).toEqual([
      { name: 'users.csv', offset: 0 },
      { name: 'roles.csv', offset: 0 },
    ]);
    for (const [name, text] of Object.entries(files)) expect(fake.file(name)).toBe(text);
  });

  it('removes temporary files other runs left behind, and nothing else', async () => {
    fake.fs.put('/.users.csv.rosterflow-run-3.part', 'half a file');
    fake.fs.put('/.notes.txt.rosterflow-run-3.part', 'not ours');
    fake.fs.put('/README.txt', 'left by Alludo');
    const { files } = await renderPackage(oneRosterConfig('alludo'), SMALL_ROSTER);
    expect((await upload(uploadFilesOf(files))).staleTempFilesRemoved).toBe(1);
    expect(fake.listing()).toEqual([
      '.notes.txt.rosterflow-run-3.part',
      'README.txt',
      'orgs.csv',
      'roles.csv',
      'users.csv',
    ]);
  });

  it('uploads from the target config, reading its secrets just before use', async () => {
    const config = oneRosterConfig(
      'oneroster-1.2',
      {},
      { host: fake.host, port: fake.port, password: { env: 'ALLUDO_PASSWORD' }, hostKeySha256: fake.hostKeySha256 },
    );
    expect(oneRosterLocation(config)).toBe(`sftp://district-42@127.0.0.1:${fake.port}/.`);
    const { files } = await renderPackage(config, SMALL_ROSTER);
    const result = await uploadOneRosterPackage({ config, resolveSecret, runId: RUN_ID, files: uploadFilesOf(files) });
    expect(result.renamedWith).toHaveLength(4);
    // A full OneRoster package: Alludo would ignore the manifest, the fake lists it as ignored.
    expect(fake.listing()).toEqual(['manifest.csv', 'orgs.csv', 'roles.csv', 'users.csv']);
    expect(fake.renames.map((rename) => rename.to)).toEqual(['/orgs.csv', '/users.csv', '/roles.csv', '/manifest.csv']);
  });

  it('logs in with a private key and writes into a configured folder', async () => {
    fake.fs.mkdir('/rostering');
    const { files } = await renderPackage(oneRosterConfig('alludo'), SMALL_ROSTER);
    await upload(uploadFilesOf(files), {
      sftp: { password: undefined, privateKey: { env: 'ALLUDO_KEY' }, directory: '/rostering' },
    });
    expect(fake.fs.read('/rostering/users.csv')?.toString()).toBe(files['users.csv']);
  });

  it('refuses a wrong password with a permanent error naming the user, never the secret', async () => {
    fake.refuseAuth = true;
    const failure = await failureOf(() => upload(uploadFilesOf({ 'users.csv': 'x\n' })));
    expect(failure.type).toBe('TargetAuthFailed');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe(
      `Alludo: the SFTP server 127.0.0.1:${fake.port} refused the password of user "district-42"`,
    );
    expect(failure.message).not.toContain(ALLUDO_SFTP_PASSWORD);
    expect(fake.writes).toEqual([]);
  });

  it('refuses a server whose host key is not the pinned one, before sending anything', async () => {
    const otherPin = 'B'.repeat(43);
    const failure = await failureOf(() =>
      upload(uploadFilesOf({ 'users.csv': 'x\n' }), { sftp: { hostKeySha256: `SHA256:${otherPin}` } }),
    );
    expect(failure.type).toBe('TargetAuthFailed');
    expect(failure.message).toBe(
      `Alludo: the SFTP server 127.0.0.1:${fake.port} presented host key ${fake.hostKeySha256}, not the pinned ` +
        `target.sftp.hostKeySha256 SHA256:${otherPin}; refusing to send (a replaced server or an outdated pin)`,
    );
    expect(fake.authFailures).toBe(0);
  });

  it('reports an unreachable server as retryable and a missing folder as permanent', async () => {
    const missing = await failureOf(() => upload(uploadFilesOf({ 'users.csv': 'x\n' }), { directory: '/outgoing' }));
    expect(missing.type).toBe('TargetRequestRejected');
    expect(missing.message).toBe(`Alludo: the directory /outgoing does not exist on 127.0.0.1:${fake.port}`);

    await fake.close();
    const unreachable = await failureOf(() => upload(uploadFilesOf({ 'users.csv': 'x\n' })));
    expect(unreachable.type).toBe('TargetUnavailable');
    expect(unreachable.retryable).toBe(true);
    expect(unreachable.message).toBe(`Alludo: cannot reach the SFTP server 127.0.0.1:${fake.port} (ECONNREFUSED)`);
  });

  it('refuses a file the artifact store serves with another size than recorded', async () => {
    const [file] = uploadFilesOf({ 'users.csv': 'sourcedId\n' });
    const failure = await failureOf(() => upload([{ ...file!, size: 99 }]));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toBe(
      'uploadFiles: the content of users.csv from byte 0 does not have the recorded size of 99 bytes',
    );
  });
});

describe('the Alludo fake', () => {
  const put = (name: string, ...lines: string[]) => fake.fs.put(`/${name}`, `${lines.join('\n')}\n`);

  it('ignores wrongly named files, and takes only exact names in its folder', () => {
    put('Users.csv', 'sourcedId');
    put('users.CSV', 'sourcedId');
    fake.fs.put('/archive/users.csv', 'sourcedId\n');
    expect(fake.processTick()).toEqual({
      tick: 1,
      processed: {},
      ignored: ['Users.csv', 'users.CSV'],
      errors: [],
      accessRemoved: [],
    });
  });

  it('applies enabledUser No as access removal, and checks nesting, references, Yes/No and columns', () => {
    put(
      'orgs.csv',
      'sourcedId,name,type,parentSourcedId',
      'd,District,local,',
      'g,Group,local,d',
      'gg,Subgroup,local,g',
      's,School,school,d',
    );
    put(
      'users.csv',
      'sourcedId,identifier,enabledUser,givenName,familyName,email,primaryOrgSourcedId,ageGroup',
      'u1,E1,Yes,Ada,Lane,ada@example.com,g,adult',
      'u2,E2,true,Alan,Turing,alan@example.com,g,adult',
      'u3,E3,No,Grace,Hopper,ADA@example.com,g,adult',
      'u4,E4,No,Edsger,Dijkstra,edsger@example.com,gg,adult',
    );
    put(
      'roles.csv',
      'sourcedId,userSourcedId,roleType,role,orgSourcedId',
      'r1,u1,primary,teacher,g',
      'r2,u2,secondary,teacher,g',
    );
    expect(fake.processTick().errors).toEqual([
      { file: 'orgs.csv', line: 4, message: 'Alludo supports one level of nesting groups' },
      { file: 'orgs.csv', line: 5, message: 'only groups (local) can be nested' },
      { file: 'users.csv', line: 3, message: 'enabledUser must be Yes or No' },
      { file: 'users.csv', line: 4, message: 'each user must have a unique email address' },
      { file: 'users.csv', line: 5, message: 'primaryOrgSourcedId gg is not a known organization' },
      { file: 'roles.csv', line: 3, message: 'userSourcedId u2 is not a known user' },
    ]);
    expect(fake.users().map((user) => [user.sourcedId, user.hasAccess])).toEqual([['u1', true]]);

    put(
      'users.csv',
      'sourcedId,identifier,enabledUser,givenName,familyName,email,primaryOrgSourcedId,ageGroup',
      'u1,E1,No,Ada,Lane,ada@example.com,g,adult',
    );
    put('roles.csv', 'sourcedId,userSourcedId,role,roleType,orgSourcedId', 'r1,u1,teacher,primary,g');
    fake.fs.files.delete('/orgs.csv');
    const tick = fake.processTick();
    expect(tick.accessRemoved).toEqual(['u1']);
    expect(tick.errors).toEqual([
      { file: 'roles.csv', line: 1, message: 'the columns must be sourcedId,userSourcedId,roleType,role,orgSourcedId' },
    ]);
  });
});
