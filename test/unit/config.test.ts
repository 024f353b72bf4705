import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { findSync, loadConfig } from '../../config/load';
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

  it('rejects an unknown source type, naming the field', async () => {
    const config = exampleConfig();
    config.syncs[0]!.source = { type: 'bamboo', path: 'x' };
    expect(await problemsOf(config)).toContain('syncs[0] "acme-people".source.type');
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

  it('reports YAML syntax errors with their position', async () => {
    expect(await problemsOf('version: 1\nsyncs:\n  - id: [unclosed\n')).toMatch(
      /is not valid YAML at line \d+, column \d+/,
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
});
