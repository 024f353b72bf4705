import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { findSync, loadConfig } from '../../config/load';
import { syncSecrets } from '../../config/sync-secrets';
import { RosterflowError } from '../../core/errors';
import { exampleConfig } from '../support/example-config';
import { REPO_ROOT } from '../support/harness';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rosterflow-config-'));
});

async function load(content: unknown): Promise<ReturnType<typeof loadConfig>> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, typeof content === 'string' ? content : stringify(content));
  return loadConfig(path);
}

async function problemsOf(content: unknown): Promise<string> {
  const err = await load(content).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(err).toBeInstanceOf(RosterflowError);
  expect((err as RosterflowError).type).toBe('InvalidConfig');
  expect((err as RosterflowError).retryable).toBe(false);
  return (err as RosterflowError).message;
}

describe('loadConfig', () => {
  it('loads the example, fills defaults and resolves paths against the config folder', async () => {
    const config = await loadConfig(join(REPO_ROOT, 'examples', 'rosterflow.yaml'));
    const sync = findSync(config, 'acme-people', 'examples/rosterflow.yaml');
    expect(sync.source).toMatchObject({
      path: join(REPO_ROOT, 'examples', 'data', 'acme-hr-export.csv'),
      delimiter: ',',
    });
    expect(sync.target).toMatchObject({ path: join(REPO_ROOT, 'out', 'acme-people.csv') });
    expect(sync.schedule).toEqual({
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
      catchupWindow: '15m',
      paused: false,
    });
    expect(sync.onRejectedRows).toBe('fail');
  });

  it('names every bad setting, with the sync id, in one message', async () => {
    const config = exampleConfig();
    const sync = config.syncs[0]!;
    sync.schedule = { cron: '0 2 * *', timezone: 'Europe/Berlin', catchupWindow: 'soon' };
    sync.source['columns'] = { workEmail: 'Work Email', favouriteColour: 'Colour' };
    sync.target['columns'] = [{ header: 'Email' }];
    sync['onRejectedRows'] = 'ignore';
    const message = await problemsOf(config);
    expect(message).toContain('syncs[0] "acme-people".schedule.cron: must be a cron expression');
    expect(message).toContain('syncs[0] "acme-people".schedule.catchupWindow: must be a duration');
    expect(message).toContain('syncs[0] "acme-people".source.columns: Unrecognized key: "favouriteColour"');
    expect(message).toContain('syncs[0] "acme-people".target.columns[0]: needs exactly one of field or value');
    expect(message).toContain('syncs[0] "acme-people".onRejectedRows');
  });

  it('rejects an unknown source type, naming the field, the known types and the closest one', async () => {
    const config = exampleConfig();
    config.syncs[0]!.source = { type: 'bambohr', path: 'x' };
    expect(await problemsOf(config)).toContain(
      'syncs[0] "acme-people".source.type: must be one of "bamboohr", "csv", "hibob", "msgraph", "personio", ' +
        '"workday-raas" (did you mean "bamboohr"?)',
    );
  });

  it('rejects duplicate sync ids and bad ids', async () => {
    const config = exampleConfig();
    config.syncs = [config.syncs[0]!, { ...config.syncs[0]! }, { ...config.syncs[0]!, id: 'Bad Id' }];
    const message = await problemsOf(config);
    expect(message).toContain('syncs[1] "acme-people".id: repeats an earlier sync id');
    expect(message).toContain('syncs[2] "Bad Id".id: must be lowercase letters, digits and dashes');
  });

  it('rejects a repeated column header in a target', async () => {
    const config = exampleConfig();
    config.syncs[0]!.target['columns'] = [
      { header: 'Email', field: 'workEmail' },
      { header: 'Email', field: 'personalEmail' },
    ];
    expect(await problemsOf(config)).toContain('target.columns[1].header: repeats an earlier header');
  });

  it('reports YAML syntax errors with their line, the line itself and a caret under the mistake', async () => {
    const message = await problemsOf(
      'version: 1\nsyncs:\n  - id: acme-people\n    source: { type: csv\n    target: x\n',
    );
    expect(message).toContain('is not valid YAML: ');
    expect(message).toContain('at line 5, column 5:');
    // The offending line, then a caret in the column the parser names.
    expect(message).toMatch(/\n {4}target: x\n {4}\^/);
  });

  it('accepts YAML merge keys, from an x- block or from another sync', async () => {
    const text = [
      'version: 1',
      'x-acme-source: &acme-source',
      '  type: csv',
      '  path: data/acme-hr-export.csv',
      '  columns: { sourceId: Employee ID, workEmail: Work Email, status: Status }',
      'syncs:',
      '  - id: acme-people',
      '    source: *acme-source',
      '    target: &csv-target { type: csv-file, path: out/people.csv, columns: [{ header: Email, field: workEmail }] }',
      '  - id: acme-people-tabs',
      '    source: { <<: *acme-source, delimiter: "\\t" }',
      '    target: { <<: *csv-target, path: out/people-tabs.csv }',
    ].join('\n');
    const config = await load(text);
    expect(config.syncs.map((sync) => sync.id)).toEqual(['acme-people', 'acme-people-tabs']);
    expect(config.syncs[1]!.source).toMatchObject({
      type: 'csv',
      delimiter: '\t',
      path: join(dir, 'data', 'acme-hr-export.csv'),
    });
    expect(config.syncs[1]!.target).toMatchObject({ type: 'csv-file', path: join(dir, 'out', 'people-tabs.csv') });
  });

  it('checks every cron field as Temporal reads it, naming the sync and the field', async () => {
    const withCron = async (cron: string) => {
      const config = exampleConfig();
      config.syncs[0]!.schedule = { cron };
      return load(config).then(
        () => 'valid',
        (err: unknown) => (err as Error).message,
      );
    };
    expect(await withCron('0 25 * * *')).toContain(
      'syncs[0] "acme-people".schedule.cron: must be a cron expression: its hour field "25" is not valid (allowed: 0-23',
    );
    expect(await withCron('0 2 32 * *')).toContain('its day of month field "32" is not valid (allowed: 1-31');
    expect(await withCron('0 2 * 13 *')).toContain('its month field "13" is not valid');
    expect(await withCron('0 2 * * 8')).toContain('its day of week field "8" is not valid');
    expect(await withCron('0 2 * * *  2200')).toContain('its year field "2200" is not valid (allowed: 2000-2100');
    // Syntax Temporal does not know (last day, nth weekday, "?") is refused rather than sent.
    expect(await withCron('0 2 L * *')).toContain('its day of month field "L" is not valid');
    expect(await withCron('0 2 * * 5#2')).toContain('its day of week field "5#2" is not valid');
    expect(await withCron('0 2 * *')).toContain('not 4 field(s)');
    expect(await withCron('@fortnightly')).toContain('one of the macros @yearly');
    expect(await withCron('@every 2w')).toContain('"@every <n>[smhd]"');
    expect(await withCron('70/5 * * * *')).toContain('its minute field "70/5" is not valid');
    for (const valid of [
      '0 2 * * *',
      '*/15 9-17 * * MON-FRI',
      '0 2 1,15 jan,jul *',
      '0 2 * * * 2030',
      '30 0 2 * * * *',
      '5/15 * * * *',
      '@daily',
      '@every 6h',
      '@every 1d/2h',
    ]) {
      expect(await withCron(valid)).toBe('valid');
    }
  });

  it('suggests the closest valid name for an unknown key or field path', async () => {
    const config = exampleConfig();
    const columns = config.syncs[0]!.source['columns'] as Record<string, string>;
    columns['jobTitel'] = columns['jobTitle']!;
    delete columns['jobTitle'];
    config.syncs[0]!.target['columns'] = [
      { header: 'Email', field: 'workEmial' },
      { header: 'Team', field: 'customField.team' },
      { header: 'Colour', field: 'favouriteColour' },
    ];
    config.syncs[0]!.target['statusses'] = ['active'];
    const message = await problemsOf(config);
    expect(message).toContain(
      'syncs[0] "acme-people".source.columns: Unrecognized key: "jobTitel" (did you mean "jobTitle"?)',
    );
    expect(message).toContain(
      'target.columns[0].field: must be an employee field or customFields.<name> (did you mean "workEmail"?)',
    );
    expect(message).toContain(
      'target.columns[1].field: must be an employee field or customFields.<name> (did you mean "customFields.team"?)',
    );
    // Nothing close: no guess.
    expect(message).toMatch(/target\.columns\[2\]\.field: must be an employee field or customFields\.<name>\n/);
    expect(message).toContain(
      'syncs[0] "acme-people".target: Unrecognized key: "statusses" (did you mean "statuses"?)',
    );
  });

  it('reports a missing file and a missing version', async () => {
    const missing = (await loadConfig(join(dir, 'nope.yaml')).catch((err: unknown) => err)) as Error;
    expect(missing.message).toBe(`Config file ${join(dir, 'nope.yaml')} does not exist`);
    expect(await problemsOf({ syncs: exampleConfig().syncs })).toContain('version: must be 1');
  });

  it('names the known syncs when asked for an unknown one', async () => {
    const config = await load(exampleConfig());
    expect(() => findSync(config, 'other', 'rosterflow.yaml')).toThrow(
      'No sync "other" in rosterflow.yaml (it declares: acme-people, acme-hibob)',
    );
  });

  it("finds a sync's secrets where its schema declares them, never a map entry that looks like one", async () => {
    const config = await load({
      version: 1,
      syncs: [
        {
          id: 'acme-personio',
          source: {
            type: 'personio',
            clientId: { env: 'PERSONIO_ID' },
            clientSecret: { file: '/run/secrets/personio' },
          },
          target: { type: 'csv-file', path: 'out.csv', columns: [{ header: 'Email', field: 'workEmail' }] },
        },
        {
          id: 'acme-people',
          // A custom field named "file" maps to a header; it is no secret.
          source: { type: 'csv', path: 'people.csv', customFields: { file: 'File' } },
          target: {
            type: 'staffbase',
            baseUrl: 'https://acme.staffbase.com/api',
            apiToken: { env: 'STAFFBASE_API_TOKEN' },
          },
        },
      ],
    });
    const [personio, people] = config.syncs.map(syncSecrets);
    expect(personio!.source).toEqual(
      expect.arrayContaining([
        { setting: 'source.clientId', ref: { env: 'PERSONIO_ID' } },
        { setting: 'source.clientSecret', ref: { file: '/run/secrets/personio' } },
      ]),
    );
    expect(personio!.source).toHaveLength(2);
    expect(people).toEqual({
      source: [],
      target: [{ setting: 'target.apiToken', ref: { env: 'STAFFBASE_API_TOKEN' } }],
    });
  });
});
