import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { searchAttributeArgs } from '../../workflows/search-attributes';

const ROOT = join(__dirname, '..', '..');

describe("rosterflow's search attributes", () => {
  it('are registered by the production compose file and documented with the command that creates them', async () => {
    const wanted = searchAttributeArgs().map(({ name, type }) => `${name}=${type}`);
    const compose = parse(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: { temporal: { command: string[] } };
    };
    const registered = compose.services.temporal.command
      .filter((arg) => arg.startsWith('--search-attribute='))
      .map((arg) => arg.slice('--search-attribute='.length));
    expect(registered).toEqual(wanted);
    const operations = await readFile(join(ROOT, 'docs', 'operations.md'), 'utf8');
    for (const { name, type } of searchAttributeArgs()) expect(operations).toContain(`--name ${name} --type ${type}`);
  });
});
