import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Built server binaries, shared by every clone of the project for this user. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'rosterflow');
}

/** The local stack's data and state file, per working copy (git-ignored). */
export function homeDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env['ROSTERFLOW_HOME'] || '.rosterflow');
}

/** The repository root (the folder with package.json), from sources or from compiled dist/. */
export const REPO_ROOT = findPackageRoot(__dirname);

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tools', 'ferretdb'))) return dir;
    if (dirname(dir) === dir) return resolve(start, '..', '..');
  }
}
