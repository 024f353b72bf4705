import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateOneRosterPackage } from '../../targets/oneroster-sftp/validate';
import type { SyncRosterResult, syncRoster } from '../../workflows/sync-roster';
import { ALLUDO_SFTP_PASSWORD, AlludoSftpFake } from '../fakes/oneroster-sftp/server';
import { exampleConfig } from '../support/example-config';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';

let harness: Harness;
let alludo: AlludoSftpFake;

/** The example HR export as a OneRoster package, orgs from departments, pushed to the fake's SFTP drop. */
async function useProfile(profile: 'alludo' | 'oneroster-1.2', sync: Record<string, unknown> = {}) {
  const config = exampleConfig();
  config.syncs = [
    {
      id: 'acme-oneroster',
      source: config.syncs[0]!.source,
      target: alludo.targetConfig(profile) as never,
      ...sync,
    },
  ];
  await harness.writeConfig(config);
}

/**
 * The example export with a line break in Grace Hopper's given name (a quoted cell) and, for Margaret
 * Hamilton, a termination date before her hire date; the sync reads it and skips rejected rows.
 */
async function useUntidyExport(profile: 'alludo' | 'oneroster-1.2') {
  const example = await readFile(join(harness.dataDir, 'acme-hr-export.csv'), 'utf8');
  const untidy = example
    .replace('1002,E-002,Grace,', '1002,E-002,"Grace\r\nBrewster",')
    .replace('Active,2021-09-01,,Engineering Manager', 'Active,2021-09-01,2020-01-31,Engineering Manager');
  expect(untidy).not.toBe(example);
  await writeFile(join(harness.dataDir, 'untidy.csv'), untidy);
  await useProfile(profile, {
    source: { ...exampleConfig().syncs[0]!.source, path: 'data/untidy.csv' },
    onRejectedRows: 'skip',
    // The left-out row counts as a leaver against the earlier tests' delivery; no hold for this test.
    safety: { maxDeactivationPercent: 100 },
  });
}

beforeAll(async () => {
  alludo = await AlludoSftpFake.start();
  process.env['ALLUDO_TEST_PASSWORD'] = ALLUDO_SFTP_PASSWORD;
  harness = await startHarness('oneroster-sftp');
});
afterAll(async () => {
  await harness.close();
  await alludo.close();
  delete process.env['ALLUDO_TEST_PASSWORD'];
});

const run = (): Promise<SyncRosterResult> =>
  harness.client.workflow.execute<typeof syncRoster>('syncRoster', {
    taskQueue: harness.taskQueue,
    workflowId: `acme-oneroster-${Date.now()}`,
    args: [{ syncId: 'acme-oneroster' }],
  });

const delivered = (names: string[]) => Object.fromEntries(names.map((name) => [name, alludo.file(name) ?? '']));

describe('OneRoster over SFTP through the workflow', () => {
  it('delivers the Alludo package that Alludo processes without errors', async () => {
    await useProfile('alludo');
    const result = await run();
    expect(result.artifacts.map((artifact) => artifact.fileName)).toEqual(['orgs.csv', 'users.csv', 'roles.csv']);
    expect(
      alludo
        .listing()
        .filter((name) => !name.startsWith('.'))
        .sort(),
    ).toEqual(['orgs.csv', 'roles.csv', 'users.csv']);
    expect(validateOneRosterPackage(delivered(['orgs.csv', 'users.csv', 'roles.csv']), 'alludo')).toEqual([]);

    alludo.processTick();
    expect(alludo.errors()).toEqual([]);
    expect(alludo.users()).toHaveLength(10);
    const leaver = alludo.users().find((user) => user.email === 'alan.turing@acme.example');
    expect(leaver?.hasAccess).toBe(false);
    expect(alludo.users().filter((user) => user.hasAccess)).toHaveLength(9);
  });

  it('delivers a full OneRoster 1.2 package with its manifest that passes the validity check', async () => {
    await useProfile('oneroster-1.2');
    const result = await run();
    const names = result.artifacts.map((artifact) => artifact.fileName);
    expect(names).toEqual(['orgs.csv', 'users.csv', 'roles.csv', 'manifest.csv']);
    const files = delivered(names);
    expect(validateOneRosterPackage(files, 'oneroster-1.2')).toEqual([]);
    expect(files['users.csv']!.split('\n')[0]!.split(',')).toHaveLength(23);
  });

  it('delivers a name with a line break on one line, rejecting only the row the receiver could not take', async () => {
    await useUntidyExport('oneroster-1.2');
    const result = await run();
    // One row is left out (a role ending before it begins), never the whole package.
    expect(result).toMatchObject({ pulled: 10 });
    const record = await harness.store.runs.get(result.runId);
    expect(record!.steps.deliver).toMatchObject({ status: 'succeeded' });
    expect(record!.rejections?.map(({ field, reason }) => ({ field, reason }))).toEqual([
      { field: 'endDate', reason: 'is before beginDate: the role would end before it begins' },
    ]);
    const files = delivered(result.artifacts.map((artifact) => artifact.fileName));
    expect(validateOneRosterPackage(files, 'oneroster-1.2')).toEqual([]);
    expect(files['users.csv']).toContain(',Grace Brewster,Hopper,');
    expect(files['users.csv']).not.toContain('margaret.hamilton@acme.example');
    expect(files['users.csv']!.trimEnd().split('\n')).toHaveLength(1 + 9);

    // Alludo's files carry no dates: all ten arrive, and Alludo processes them without errors.
    await useUntidyExport('alludo');
    const alludoRun = await run();
    expect((await harness.store.runs.get(alludoRun.runId))!.rejections ?? []).toEqual([]);
    expect(alludo.file('users.csv')).toContain(',Grace Brewster,Hopper,');
    alludo.processTick();
    expect(alludo.errors()).toEqual([]);
    expect(alludo.users().find((user) => user.email === 'grace.hopper@acme.example')).toBeDefined();
  });

  it('resumes an upload cut mid-file from its checkpoint and leaves no half file', async () => {
    await useProfile('alludo');
    alludo.dropAfterBytes(400);
    const result = await run();
    const record = await harness.store.runs.get(result.runId);
    expect(record!.steps.deliver).toMatchObject({ status: 'succeeded' });
    expect(record!.steps.deliver!.attempt).toBeGreaterThan(1);
    expect(record!.events?.map((event) => event.kind)).toContain('resumed');
    // The cut fell inside users.csv: the retry starts there, and orgs.csv is not sent again.
    const resumed = /^upload resumed at file (\d), byte (\d+); (\d+) bytes sent$/.exec(
      record!.events!.find((event) => event.kind === 'resumed')!.detail,
    );
    expect(resumed?.[1]).toBe('2');
    // From the last acknowledged byte of users.csv (before the cut at 400 bytes) to the end of the package.
    const offset = Number(resumed?.[2]);
    expect(offset).toBeLessThan(400);
    const bytesOf = (name: string) => record!.artifacts!.find((artifact) => artifact.fileName === name)!.bytes;
    expect(Number(resumed?.[3])).toBe(bytesOf('users.csv') - offset + bytesOf('roles.csv'));

    // What landed is exactly what was rendered: no half file, no temporary names left.
    for (const artifact of result.artifacts) {
      const rendered = (
        await harness.store.artifacts.read(record!.artifacts!.find((a) => a.fileName === artifact.fileName)!.id)
      ).toString('utf8');
      expect(alludo.file(artifact.fileName)).toBe(rendered);
    }
    expect(alludo.listing().filter((name) => name.includes('.part'))).toEqual([]);
  }, 120_000);
});
