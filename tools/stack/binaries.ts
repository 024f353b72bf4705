import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, constants, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { cacheDir, REPO_ROOT } from './paths';
import { trackChild } from './processes';
import { StackError } from './errors';

/**
 * v1.5.1 (server 1.29.1, UI 2.42.1) is the newest Temporal CLI whose go.mod has no `replace`
 * directive, which `go install pkg@version` refuses. Built from the Go module proxy because
 * nothing may be downloaded from a vendor's site here.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const TEMPORAL_CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

type Log = (line: string) => void;

/** TEMPORAL_CLI_PATH, else `temporal` on PATH, else the cached build (built on first use). */
export async function ensureTemporalCli(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const configured = env['TEMPORAL_CLI_PATH'];
  if (configured) return assertExecutable(configured, 'TEMPORAL_CLI_PATH');
  const onPath = await findOnPath('temporal', env);
  if (onPath) return onPath;

  const target = join(cacheDir(env), `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
  if (await isExecutable(target)) return target;
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from the Go module proxy (first time only; a few minutes)...`);
  await buildInto(target, log, async (outDir) => {
    await run('go', ['install', TEMPORAL_CLI_MODULE], { cwd: outDir, env: { ...goEnv(env), GOBIN: outDir } }, log);
    return join(outDir, 'temporal');
  });
  return target;
}

/** `mongod` on PATH, or undefined. */
export function findMongod(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return findOnPath('mongod', env);
}

/**
 * The FerretDB v1 wrapper in tools/ferretdb, built once per version of its sources. The cache key
 * is a hash of its go.mod, go.sum and main.go, so a change to them rebuilds it.
 */
export async function ensureFerretDb(log: Log, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const sourceDir = join(REPO_ROOT, 'tools', 'ferretdb');
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(await readFile(join(sourceDir, file)));
  const target = join(cacheDir(env), `ferretdb-${hash.digest('hex').slice(0, 12)}`, 'rosterflow-ferretdb');
  if (await isExecutable(target)) return target;
  log('Building FerretDB (MongoDB wire protocol on SQLite) from the Go module proxy (first time only)...');
  await buildInto(target, log, async (outDir) => {
    const output = join(outDir, 'rosterflow-ferretdb');
    await run(
      'go',
      ['build', '-mod=readonly', '-trimpath', '-o', output, '.'],
      { cwd: sourceDir, env: goEnv(env) },
      log,
    );
    return output;
  });
  return target;
}

/** Builds into a scratch folder and renames the result into place, so a cut-off build leaves nothing. */
async function buildInto(target: string, log: Log, build: (outDir: string) => Promise<string>): Promise<void> {
  const dir = join(target, '..');
  await mkdir(dir, { recursive: true });
  const scratch = await mkdtemp(join(dir, '.build-'));
  try {
    await findOnPath('go', process.env).then((go) => {
      if (!go)
        throw new StackError(
          'Go (1.22 or newer) is needed to build the local servers; install it or set TEMPORAL_CLI_PATH / MONGODB_URI',
        );
    });
    const built = await build(scratch);
    await rename(built, target);
    log(`Built ${target}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function goEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // A stray GOFLAGS (e.g. -mod=vendor) would break builds of pinned modules.
  const { GOFLAGS: _ignored, ...rest } = env;
  return { ...rest, CGO_ENABLED: '0' };
}

/** Runs a build step to completion; on failure logs the tail of its output and throws a StackError. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  log: Log,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = trackChild(spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] }));
    const tail: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve();
      tail.forEach(log);
      reject(new StackError(`${command} ${args.join(' ')} failed with exit code ${String(code)}`));
    });
  });
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function assertExecutable(path: string, setting: string): Promise<string> {
  if (await isExecutable(path)) return path;
  throw new StackError(`${setting} points at ${path}, which is not an executable file`);
}
