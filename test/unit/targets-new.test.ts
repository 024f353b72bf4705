import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(__dirname, '..', '..');
const CLI = join(REPO_ROOT, 'bin', 'rosterflow');

function targetsNew(name: string, root: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      CLI,
      ['targets', 'new', name, '--root', root],
      { cwd: REPO_ROOT, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * What `targets new` refuses, each with one sentence and nothing written. (That what it writes passes
 * the conformance kit is test/integration/targets-new.test.ts.)
 */
describe('rosterflow targets new refuses', () => {
  let root: string;

  beforeAll(async () => {
    // Enough of a checkout for the command to accept it as one.
    root = await mkdtemp(join(tmpdir(), 'rosterflow-targets-new-'));
    await mkdir(join(root, 'connectors', 'sdk'), { recursive: true });
    await writeFile(join(root, 'connectors', 'sdk', 'source.ts'), '');
    await mkdir(join(root, 'targets', 'acme-hr'), { recursive: true });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const refusals = [
    ['a name that is not kebab-case', 'Acme_HR', '"Acme_HR" is not a kebab-case name'],
    ['a registered type', 'staffbase', '"staffbase" is already a registered target type'],
    ['the name of shared code', 'sdk', '"sdk" is the name of shared code'],
    ['a folder that is already there', 'acme-hr', 'will not overwrite what is already there: targets/acme-hr.'],
  ] as const;

  for (const [what, name, sentence] of refusals) {
    it(what, async () => {
      const before = await readdir(root, { recursive: true });
      const result = await targetsNew(name, root);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`rosterflow: targets new: ${sentence}`);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(await readdir(root, { recursive: true })).toEqual(before);
    });
  }

  it('a --root that is not a rosterflow checkout', async () => {
    const result = await targetsNew('acme-chat', join(root, 'targets'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`targets new: --root ${join(root, 'targets')} is not a rosterflow checkout`);
  });
});
