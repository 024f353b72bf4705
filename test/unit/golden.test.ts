import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load';
import { createCsvDropSource } from '../../connectors/csv-drop/source';
import type { Employee } from '../../core/employee';
import { TargetConfigSchema, targetDefinition } from '../../targets';
import { validateOneRosterPackage } from '../../targets/oneroster-sftp/validate';
import { renderArtifacts } from '../../targets/sdk/render';
import { GOLDEN_TARGETS } from '../golden/targets';
import { REPO_ROOT } from '../support/harness';

/**
 * Golden files: the example roster (examples/data/acme-hr-export.csv) rendered through every layout,
 * compared byte for byte with the files committed under test/golden/<case>/. After an intended
 * change of a layout, regenerate with `UPDATE_GOLDEN=1 npx vitest run test/unit/golden.test.ts`
 * and review the diff.
 */
async function exampleRoster(): Promise<Employee[]> {
  const config = await loadConfig(join(REPO_ROOT, 'examples', 'rosterflow.yaml'));
  const source = config.syncs[0]!.source;
  if (source.type !== 'csv') throw new Error('the example sync reads a CSV drop');
  const employees: Employee[] = [];
  const noSecrets = { resolveSecret: () => Promise.reject(new Error('the example drop needs no secret')) };
  for await (const page of createCsvDropSource(source, noSecrets).listEmployees()) {
    employees.push(...page.records);
  }
  return employees;
}

async function renderCase(targetConfig: unknown, employees: Employee[]): Promise<Record<string, string>> {
  const target = TargetConfigSchema.parse(targetConfig);
  const files: Record<string, Buffer[]> = {};
  await renderArtifacts(targetDefinition(target.type).layouts(target), Readable.from([employees]), (fileName) => {
    const stream = new PassThrough();
    files[fileName] = [];
    stream.on('data', (chunk: Buffer) => files[fileName]!.push(chunk));
    return Promise.resolve({ id: fileName, stream });
  });
  return Object.fromEntries(
    Object.entries(files).map(([name, chunks]) => [name, Buffer.concat(chunks).toString('utf8')]),
  );
}

describe('golden files: the example roster through every layout', () => {
  for (const [name, targetConfig] of Object.entries(GOLDEN_TARGETS)) {
    it(`${name} matches test/golden/${name}/ byte for byte`, async () => {
      const rendered = await renderCase(targetConfig, await exampleRoster());
      const folder = join(REPO_ROOT, 'test', 'golden', name);
      if (process.env['UPDATE_GOLDEN'] === '1') {
        await mkdir(folder, { recursive: true });
        for (const [file, text] of Object.entries(rendered)) await writeFile(join(folder, file), text);
      }
      for (const [file, text] of Object.entries(rendered)) {
        const golden = await readFile(join(folder, file), 'utf8');
        expect(text, `${name}/${file}`).toBe(golden);
      }
      const target = TargetConfigSchema.parse(targetConfig);
      // The OneRoster packages must also pass the 1.2 validity check (header order, enumerations, references).
      if (target.type === 'oneroster-sftp') expect(validateOneRosterPackage(rendered, target.profile)).toEqual([]);
    });
  }
});
