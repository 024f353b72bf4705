import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** Written by a running local stack so the worker and CLI in other terminals can find it. */
export const StackStateSchema = z.object({
  pid: z.int(),
  temporalAddress: z.string(),
  namespace: z.string(),
  uiUrl: z.string().nullable(),
  mongoUri: z.string(),
  mongoKind: z.enum(['external', 'mongod', 'ferretdb']),
  startedAt: z.string(),
});
export type StackState = z.infer<typeof StackStateSchema>;

/**
 * Written by `rosterflow dev` for as long as it runs: the config file its worker serves, so the
 * commands run from the same folder (`config check`, `schedules apply`, a second worker) use it too.
 */
export const DevStateSchema = z.object({ pid: z.int(), configPath: z.string() });
export type DevState = z.infer<typeof DevStateSchema>;

const stackStateFile = (home: string) => join(home, 'stack.json');
export const devStateFile = (home: string) => join(home, 'dev.json');

/** The state of a stack that is still running, or undefined. */
export function readStackState(home: string): Promise<StackState | undefined> {
  return readLiveState(stackStateFile(home), StackStateSchema);
}

export async function writeStackState(home: string, state: StackState): Promise<void> {
  await writeFile(stackStateFile(home), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export async function removeStackState(home: string): Promise<void> {
  await rm(stackStateFile(home), { force: true });
}

/** The config of a `rosterflow dev` still running from this folder, or undefined. */
export function readDevState(home: string): Promise<DevState | undefined> {
  return readLiveState(devStateFile(home), DevStateSchema);
}

export async function writeDevState(home: string, state: DevState): Promise<void> {
  await writeFile(devStateFile(home), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the record if it is this process's (another dev may have taken over since). */
export async function removeDevState(home: string, pid = process.pid): Promise<void> {
  if ((await readDevState(home))?.pid === pid) await rm(devStateFile(home), { force: true });
}

/** A state file whose writer is still alive; a file left by a process that died is ignored. */
async function readLiveState<T extends { pid: number }>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success || !isAlive(parsed.data.pid)) return undefined;
  return parsed.data;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
