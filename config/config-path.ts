import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readSetting } from '../core/env';
import { RosterflowError } from '../core/errors';
import { homeDir } from '../tools/stack/paths';
import { devStateFile, readDevState } from '../tools/stack/state';

export const DEFAULT_CONFIG_PATH = 'rosterflow.yaml';

export interface ConfigPathOptions {
  /** `--config`, when given. */
  explicit?: string | undefined;
  /** Tried last, where a command has a default of its own (`dev` runs the example config). */
  fallback?: string;
}

/**
 * Which config file a command or worker serves, the same way everywhere: `--config`, then
 * ROSTERFLOW_CONFIG, then ./rosterflow.yaml, then the config a `rosterflow dev` running from this
 * folder serves (recorded in .rosterflow/dev.json). Nothing found is an error that names every place
 * looked at.
 */
export async function resolveConfigPath(
  options: ConfigPathOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Promise<string> {
  if (options.explicit !== undefined) return resolve(cwd, options.explicit);
  const fromEnv = readSetting(env, 'ROSTERFLOW_CONFIG');
  if (fromEnv !== undefined) return resolve(cwd, fromEnv);
  const local = resolve(cwd, DEFAULT_CONFIG_PATH);
  if (await exists(local)) return local;
  const home = homeDir(env, cwd);
  const dev = await readDevState(home);
  if (dev) return dev.configPath;
  if (options.fallback !== undefined) return resolve(cwd, options.fallback);
  throw new RosterflowError(
    'InvalidConfig',
    `No config file found: --config is not given, ROSTERFLOW_CONFIG is not set, ${local} does not exist, ` +
      `and no \`rosterflow dev\` running from this folder recorded one in ${devStateFile(home)}; ` +
      'pass --config <path> or set ROSTERFLOW_CONFIG',
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
