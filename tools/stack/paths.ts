import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Built server binaries, shared by every clone of the project for this user. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'rosterflow');
}

/** The local stack's data and state file, per working copy (git-ignored). */
export function homeDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env['ROSTERFLOW_HOME'] || '.rosterflow');
}

/** The repository root, for the Go sources under tools/. */
export const REPO_ROOT = resolve(__dirname, '..', '..');
