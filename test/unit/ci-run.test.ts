import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(__dirname, '..', '..');
const exec = promisify(execFile);

/**
 * .ci/run in a scratch git checkout, with stand-ins for go and npm: `npm test` there runs `onTest`
 * (a shell line), as a test run that writes into the checkout would.
 */
async function ciRunIn(onTest: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const checkout = await mkdtemp(join(tmpdir(), 'rosterflow-ci-run-'));
  scratch.push(checkout);
  await mkdir(join(checkout, '.ci'));
  await copyFile(join(REPO_ROOT, '.ci', 'run'), join(checkout, '.ci', 'run'));
  await writeFile(join(checkout, 'package-lock.json'), '{}\n');
  const git = (...args: string[]) => exec('git', args, { cwd: checkout });
  await git('init', '-q');
  await git('add', '.');
  await git('-c', 'user.name=ci', '-c', 'user.email=ci@example.com', 'commit', '-qm', 'fixture');
  const bin = join(checkout, '.bin');
  await mkdir(bin);
  await writeFile(join(bin, 'go'), '#!/bin/sh\necho "go version go1.22 linux/amd64"\n');
  await writeFile(join(bin, 'npm'), `#!/bin/sh\nif [ "$1" = test ]; then ${onTest}; fi\n`);
  await chmod(join(bin, 'go'), 0o755);
  await chmod(join(bin, 'npm'), 0o755);
  // The stand-ins stay out of git status, as node_modules would.
  await writeFile(join(checkout, '.git', 'info', 'exclude'), '.bin/\n');
  return exec(join(checkout, '.ci', 'run'), [], {
    cwd: checkout,
    env: { ...process.env, PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}` },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

const scratch: string[] = [];
afterEach(async () => {
  for (const dir of scratch.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('.ci/run', () => {
  it('fails when the test run changes a tracked file or leaves an un-ignored one, naming them', async () => {
    const result = await ciRunIn('echo changed > package-lock.json; touch stray-report.xml');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('FAILED: npm install / npm test changed or left files in the checkout');
    expect(result.stderr).toContain(' M package-lock.json');
    expect(result.stderr).toContain('?? stray-report.xml');
    expect(result.stderr).toContain('Write them outside the checkout, add them to .gitignore');
  });

  it('passes when the checkout is as clean as before', async () => {
    const result = await ciRunIn('true');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('The checkout is as clean as before the run.');
  });
});
