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

const stateFile = (home: string) => join(home, 'stack.json');

/** The state of a stack that is still running, or undefined. */
export async function readStackState(home: string): Promise<StackState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile(home), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = StackStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success || !isAlive(parsed.data.pid)) return undefined;
  return parsed.data;
}

export async function writeStackState(home: string, state: StackState): Promise<void> {
  await writeFile(stateFile(home), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export async function removeStackState(home: string): Promise<void> {
  await rm(stateFile(home), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
