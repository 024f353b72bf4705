import { readSetting } from '../core/env';

/**
 * Named points where the crash tests stop a real worker process. `ROSTERFLOW_FAILPOINTS` lists
 * `name` or `name@n` (the n-th time the point is reached in this process); when one is reached the
 * worker says so on stderr and stops doing anything, so the test can SIGKILL it exactly there.
 * Unset (always, outside tests) it costs a lookup.
 */
const reached = new Map<string, number>();

export type FailpointName =
  | 'build.after-page'
  | 'extract.after-page'
  | 'render.after-page'
  | 'deliver.after-upload'
  | 'deliver.after-allstacks-upload';

export async function failpoint(name: FailpointName): Promise<void> {
  const armed = readSetting(process.env, 'ROSTERFLOW_FAILPOINTS');
  if (!armed) return;
  const count = (reached.get(name) ?? 0) + 1;
  reached.set(name, count);
  const hit = armed.split(',').some((entry) => {
    const [point, nth] = entry.trim().split('@');
    return point === name && (nth === undefined || Number(nth) === count);
  });
  if (!hit) return;
  process.stderr.write(`rosterflow failpoint reached: ${name}@${count}\n`);
  await new Promise<never>(() => undefined);
}
