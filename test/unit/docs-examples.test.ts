import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../config/load';
import { REPO_ROOT } from '../support/harness';

const CSV_SOURCE = { type: 'csv', path: 'people.csv' };
const CSV_TARGET = { type: 'csv-file', path: 'out.csv', columns: [{ header: 'Email', field: 'workEmail' }] };

/** The `source:` / `target:` YAML snippets of a doc page. */
async function snippets(page: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(REPO_ROOT, 'docs', page), 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => parse(match[1]!) as Record<string, unknown>);
}

async function validate(syncs: unknown[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rosterflow-docs-'));
  const path = join(dir, 'rosterflow.yaml');
  await writeFile(path, stringify({ version: 1, syncs }));
  await loadConfig(path);
}

describe('the configuration examples in the docs stay valid', () => {
  it.each(['sources.md', 'targets.md'])('every snippet in docs/%s passes the config schema', async (page) => {
    const found = await snippets(page);
    expect(found.length).toBeGreaterThan(0);
    await validate(
      found.map((snippet, index) => ({
        id: `example-${index}`,
        source: snippet['source'] ?? CSV_SOURCE,
        target: snippet['target'] ?? CSV_TARGET,
      })),
    );
  });

  it.each(['rosterflow.yaml', 'targets.yaml'])('examples/%s passes the config schema', async (file) => {
    const config = await loadConfig(join(REPO_ROOT, 'examples', file));
    expect(config.syncs.length).toBeGreaterThan(0);
  });
});
