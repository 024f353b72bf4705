import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/harness';

const execFileAsync = promisify(execFile);
const CLI = join(REPO_ROOT, 'bin', 'rosterflow');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command as a developer would; the parent's vitest variables are dropped so a nested vitest starts clean. */
function run(command: string, args: string[], cwd: string, timeout = 120_000): Promise<Result> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
  return new Promise((done) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The checkout as it is now (tracked and new files, not ignored ones), copied to `scratch`. */
async function copyCheckout(scratch: string): Promise<void> {
  const { stdout } = await execFileAsync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const path of stdout.split('\0').filter(Boolean)) {
    await mkdir(dirname(join(scratch, path)), { recursive: true });
    // A file deleted but not yet staged is listed and absent: it is not part of the checkout now.
    await copyFile(join(REPO_ROOT, path), join(scratch, path)).catch((err: { code?: string }) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  await symlink(join(REPO_ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
}

/** Makes the registration `targets new` printed: the definition in TARGETS, and its import. */
function register(index: string, importLine: string, definition: string): string {
  // First among the imports: no multi-line import can be split by it.
  const registered = `${importLine}\n${index}`.replace(
    /(export const TARGETS = \[[^\]]*?)(,?\s*\] as const;)/,
    `$1, ${definition}$2`,
  );
  if (!registered.includes(`, ${definition}`)) throw new Error('targets/index.ts has no TARGETS list to add to');
  return registered;
}

/**
 * The generated target must pass the conformance kit as generated, once its one line is added. It is
 * generated into a scratch copy of this checkout (so nothing here changes and nobody else's work is
 * touched), registered there, checked there, and its own test run there by a nested vitest, which
 * starts its own local stack.
 */
describe('rosterflow targets new', () => {
  const name = `scaffold-${Date.now().toString(36)}`;
  const generated = [
    `targets/${name}/config.ts`,
    `targets/${name}/layout.ts`,
    `targets/${name}/client.ts`,
    `targets/${name}/activities.ts`,
    `targets/${name}/index.ts`,
    `test/fakes/${name}/server.ts`,
    `test/targets/${name}.conformance.test.ts`,
  ];
  let scratch: string;
  let created: Result;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'rosterflow-target-scaffold-'));
    await copyCheckout(scratch);
    created = await run(CLI, ['targets', 'new', name, '--root', scratch], REPO_ROOT);
    const importLine = /^ +(import \{ (\w+Target) \} from '\.\/[a-z0-9-]+';)$/m.exec(created.stdout);
    if (importLine) {
      const index = join(scratch, 'targets', 'index.ts');
      await writeFile(index, register(await readFile(index, 'utf8'), importLine[1]!, importLine[2]!));
    }
  }, 120_000);

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes the target, its fake and its test, and prints the line that registers it', () => {
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    for (const path of generated) expect(created.stdout).toContain(`  ${path}\n`);
    expect(created.stdout).toMatch(new RegExp(`^ +import \\{ scaffold\\w+Target \\} from './${name}';$`, 'm'));
  });

  it('generates code that type-checks, lints and is formatted once registered', async () => {
    // Only what the generated files and the registry import is checked (the rest of the checkout may
    // be mid-change), with the global setup's declaration of what tests inject.
    await writeFile(
      join(scratch, 'tsconfig.scaffold.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        include: [],
        files: [...generated, 'targets/index.ts', 'test/support/global-setup.ts'],
      }),
    );
    const typecheck = await run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.scaffold.json'], scratch);
    expect(typecheck.stdout).toBe('');
    expect(typecheck.code).toBe(0);
    const lint = await run('npx', ['eslint', ...generated], scratch);
    expect(lint.stdout).toBe('');
    expect(lint.code).toBe(0);
    const format = await run('npx', ['prettier', '--check', ...generated], scratch);
    expect(format.code).toBe(0);
  }, 180_000);

  it('passes the target conformance kit unchanged, against its generated fake', async () => {
    const report = join(scratch, 'vitest-report.json');
    const result = await run(
      'npx',
      ['vitest', 'run', `test/targets/${name}.conformance.test.ts`, '--reporter=json', `--outputFile=${report}`],
      scratch,
      420_000,
    );
    const summary = JSON.parse(await readFile(report, 'utf8')) as {
      success: boolean;
      numTotalTests: number;
      numPassedTests: number;
      testResults: { assertionResults: { title: string; status: string }[] }[];
    };
    const titles = summary.testResults.flatMap((file) => file.assertionResults.map((test) => test.title));
    expect(titles).toContain(
      'resumes after its worker is killed mid-delivery, writing exactly what an uninterrupted run writes',
    );
    expect(summary.numTotalTests).toBeGreaterThanOrEqual(5);
    expect(summary.numPassedTests, result.stderr.slice(-4000)).toBe(summary.numTotalTests);
    expect(summary.success).toBe(true);
    expect(result.code).toBe(0);
  }, 480_000);
});
