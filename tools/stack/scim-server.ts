import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isExecutable, run } from './binaries';
import { StackError } from './errors';
import { cacheDir } from './paths';

/** The in-memory SCIM 2.0 server the SCIM target is tested against (PyPI, needs Python >= 3.11). */
export const SCIM_SERVER_VERSION = '0.8.3';

/**
 * scim2-server and everything it imports, pinned exactly, so that a fresh machine gets the server
 * the tests were written against rather than whatever pydantic is newest that day.
 */
const REQUIREMENTS = [
  `scim2-server==${SCIM_SERVER_VERSION}`,
  'scim2-models==0.12.3',
  'pydantic==2.14.4',
  'pydantic-core==2.50.5',
  'annotated-types==0.8.0',
  'typing-extensions==4.16.0',
  'typing-inspection==0.4.5',
  'email-validator==2.4.0',
  'dnspython==2.9.2',
  'idna==3.21',
  'lark==1.3.1',
];

/**
 * The venv's own console script names the Python of the folder it was built in, which is renamed
 * afterwards; this launcher finds the venv beside itself instead. `exec` keeps one process, so a
 * signal to it reaches the server.
 */
const LAUNCHER = `#!/bin/sh
exec "$(dirname "$0")/venv/bin/python" -m scim2_server.testserver.cli "$@"
`;

type Log = (line: string) => void;

/** The venv's folder: a change of any pin gives a new one. */
function scimServerDir(env: NodeJS.ProcessEnv): string {
  const hash = createHash('sha256').update(REQUIREMENTS.join('\n')).digest('hex').slice(0, 12);
  return join(cacheDir(env), `scim2-server-${SCIM_SERVER_VERSION}-${hash}`);
}

/** Whether `dir` holds a whole venv whose base Python still exists (a removed Python leaves a dangling link). */
async function isReady(dir: string): Promise<boolean> {
  return (await isExecutable(join(dir, 'scim2-server'))) && existsSync(join(dir, 'venv', 'bin', 'python'));
}

/** The provisioned `scim2-server` launcher, or a StackError telling how to provision it. */
export function scimServerPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = scimServerDir(env);
  if (!existsSync(join(dir, 'scim2-server')) || !existsSync(join(dir, 'venv', 'bin', 'python'))) {
    throw new StackError(
      `scim2-server ${SCIM_SERVER_VERSION} is not provisioned in ${dir}: run npx tsx tools/provision.ts`,
    );
  }
  return join(dir, 'scim2-server');
}

/**
 * Creates (once per pin set, cached per user) a virtualenv with scim2-server and returns its
 * launcher. Built in a scratch folder and renamed into place, so a killed build never leaves a half venv.
 */
export async function ensureScimServer(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const target = scimServerDir(env);
  if (await isReady(target)) return join(target, 'scim2-server');
  const python = await findPython(env);
  log(`Creating a virtualenv with scim2-server ${SCIM_SERVER_VERSION} from PyPI (first time only)...`);
  await mkdir(cacheDir(env), { recursive: true });
  const scratch = await mkdtemp(join(cacheDir(env), '.build-scim2-server-'));
  try {
    await chmod(scratch, 0o755); // mkdtemp's is 0700; the other cached builds are readable by all
    const venv = join(scratch, 'venv');
    await run(python, ['-m', 'venv', venv], { cwd: scratch, env }, log);
    const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', ...REQUIREMENTS];
    await run(join(venv, 'bin', 'python'), pip, { cwd: scratch, env }, log);
    await writeFile(join(scratch, 'scim2-server'), LAUNCHER);
    await chmod(join(scratch, 'scim2-server'), 0o755);
    // A venv left by a Python since removed is rebuilt; a whole one is never replaced.
    if (existsSync(target) && !(await isReady(target))) await rm(target, { recursive: true, force: true });
    try {
      await rename(scratch, target);
    } catch (err) {
      // Another provision (a second clone) finished first: its venv is as good as this one.
      if (!(await isReady(target))) throw err;
    }
    log(`Built ${target}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return join(target, 'scim2-server');
}

/** The first of python3, python3.13, python3.12, python3.11 that is 3.11 or newer and can make a venv. */
async function findPython(env: NodeJS.ProcessEnv): Promise<string> {
  const probe = 'import sys, importlib.util as u; print(*sys.version_info[:2], u.find_spec("ensurepip") is not None)';
  let withoutEnsurepip: string | undefined;
  for (const name of ['python3', 'python3.13', 'python3.12', 'python3.11']) {
    const output = await new Promise<string | undefined>((resolve) =>
      execFile(name, ['-c', probe], { env }, (err, stdout) => resolve(err ? undefined : stdout)),
    );
    const [major, minor, ensurepip] = (output ?? '').trim().split(' ');
    if (Number(major) !== 3 || Number(minor) < 11) continue;
    if (ensurepip === 'True') return name;
    withoutEnsurepip ??= `${major}.${minor}`;
  }
  if (withoutEnsurepip) {
    throw new StackError(
      `Python ${withoutEnsurepip} cannot create the scim2-server virtualenv because its ensurepip module is missing: install the Debian package python${withoutEnsurepip}-venv (apt-get install -y python3-venv)`,
    );
  }
  throw new StackError('The SCIM test server needs Python 3.11 or newer as python3 (or python3.11+) on PATH');
}
