import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { scaffoldNames } from '../../cli/scaffold/names';
import { problemWithTargetNames, registeredTargetActivities, usesIdentifier } from '../../cli/scaffold/target';
import { isSafeBaseUrl } from '../../io/safe-url';

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
    // The registry the printed line is added to, as it is in this checkout.
    await copyFile(join(REPO_ROOT, 'targets', 'index.ts'), join(root, 'targets', 'index.ts'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const refusals = [
    ['a name that is not kebab-case', 'Acme_HR', '"Acme_HR" is not a kebab-case name'],
    ['a registered type', 'staffbase', '"staffbase" is already a registered target type'],
    ['the name of shared code', 'sdk', '"sdk" is the name of shared code'],
    ['a folder that is already there', 'acme-hr', 'will not overwrite what is already there: targets/acme-hr.'],
    // csv-file still registers its old activity name, for runs in flight: the worker would refuse a second.
    [
      'a step activity another target registers',
      'file',
      '"file" would generate the step activity deliverFile, which the csv-file target already registers; pick another name',
    ],
    // targets/index.ts imports oneroster-sftp's definition under that name: the printed import would not compile.
    [
      'a definition name targets/index.ts already uses',
      'one-roster',
      '"one-roster" would generate the definition oneRosterTarget, a name targets/index.ts already uses; pick another name',
    ],
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

describe('targets new name clashes', () => {
  const none = new Map<string, string>();

  it('knows every activity the registered targets give the worker, old aliases included', () => {
    const registered = registeredTargetActivities();
    expect(registered.get('deliverCsvFile')).toBe('csv-file');
    expect(registered.get('deliverFile')).toBe('csv-file');
    expect(registered.get('uploadOneRoster')).toBe('oneroster-sftp');
  });

  it('refuses a step activity that is taken, naming the target that registers it', () => {
    const registered = new Map([['deliverAcmeHr', 'acme']]);
    expect(problemWithTargetNames(scaffoldNames('acme-hr'), registered, undefined)).toBe(
      '"acme-hr" would generate the step activity deliverAcmeHr, which the acme target already registers; pick another name',
    );
    expect(problemWithTargetNames(scaffoldNames('acme-chat'), registered, undefined)).toBeUndefined();
  });

  it('refuses a definition name targets/index.ts imports, exports or declares, but not one in a comment or a string', () => {
    const problem = (index: string) => problemWithTargetNames(scaffoldNames('acme-hr'), none, index);
    expect(problem("import { acmeHrTarget } from './acme';")).toContain('acmeHrTarget, a name targets/index.ts');
    expect(problem("import { acme as acmeHrTarget } from './acme';")).toBeDefined();
    expect(problem('export const acmeHrTarget = 1;')).toBeDefined();
    expect(problem("export { acmeHrTarget } from './acme';")).toBeDefined();
    expect(problem('export const TARGETS = [csvFileTarget, acmeHrTarget] as const;')).toBeDefined();
    expect(
      problem("// acmeHrTarget was here\n/* acmeHrTarget */ const s = 'acmeHrTarget // x'; const t = `acmeHrTarget`;"),
    ).toBeUndefined();
    expect(problem('const acmeHrTargets = [oldAcmeHrTarget, acmeHrTarget2];')).toBeUndefined();
    expect(problemWithTargetNames(scaffoldNames('acme-hr'), none, undefined)).toBeUndefined();
  });

  it("reads past a string that holds a comment's start, and a comment that holds a quote", () => {
    expect(usesIdentifier("const url = 'https://x'; import { acmeHrTarget } from './a';", 'acmeHrTarget')).toBe(true);
    expect(usesIdentifier("// the vendor's\nimport { acmeHrTarget } from './a';", 'acmeHrTarget')).toBe(true);
  });
});

describe('the base URL a target sends its token to', () => {
  it('is https, or http on a loopback host only', () => {
    for (const url of [
      'https://api.example.com/v1',
      'http://127.0.0.1:4010/v1',
      'http://localhost/v1',
      'http://[::1]:80',
    ]) {
      expect(isSafeBaseUrl(url), url).toBe(true);
    }
    for (const url of [
      'http://api.example.com/v1',
      'http://10.0.0.7/v1',
      'http://localhost.example.com',
      'ftp://127.0.0.1',
    ]) {
      expect(isSafeBaseUrl(url), url).toBe(false);
    }
  });
});

/**
 * The generated config, loaded as generated: a scratch checkout with the shared code it imports, so
 * nothing here is touched. (That all of the generated code passes the conformance kit is
 * test/integration/targets-new.test.ts.)
 */
describe('the config targets new generates', () => {
  let scratch: string;
  let schema: z.ZodType;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'rosterflow-targets-new-config-'));
    for (const path of ['connectors/sdk/source.ts', 'core', 'io', '.prettierrc.json']) {
      await cp(join(REPO_ROOT, path), join(scratch, path), { recursive: true });
    }
    await symlink(join(REPO_ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
    const created = await targetsNew('acme-chat', scratch);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const config = (await import(join(scratch, 'targets', 'acme-chat', 'config.ts'))) as {
      AcmeChatTargetConfigSchema: z.ZodType;
    };
    schema = config.AcmeChatTargetConfigSchema;
  }, 120_000);
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  const target = (baseUrl?: string) => ({
    type: 'acme-chat',
    apiToken: { env: 'ACME_CHAT_TOKEN' },
    ...(baseUrl === undefined ? {} : { baseUrl }),
  });

  it('refuses a plain-http base URL to any host but a loopback one, since the token goes with every request', () => {
    const refused = schema.safeParse(target('http://api.acme-chat.example.com/v1'));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues).toEqual([
      expect.objectContaining({ path: ['baseUrl'], message: 'must be https (or http on a loopback address)' }),
    ]);
    expect(schema.safeParse(target('ftp://127.0.0.1/v1')).success).toBe(false);
  });

  it('takes https, http on a loopback host (its fake), and its https default', () => {
    expect(schema.safeParse(target('https://api.acme-chat.example.com/v1')).success).toBe(true);
    expect(schema.safeParse(target('http://127.0.0.1:4010/v1')).success).toBe(true);
    expect(schema.parse(target())).toMatchObject({ baseUrl: 'https://api.acme-chat.example.com/v1' });
  });
});
