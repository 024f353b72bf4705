import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const HEADER = 'Employee ID,First Name,Last Name,Work Email,Status,Hire Date,Department,Location\n';
/** Every so many rows a leaver (`Terminated`); the rest are active. */
const LEAVER_EVERY = 20;

/** A synthetic HR export of `rows` employees, one in twenty a leaver. */
export async function writeExport(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(HEADER);
  for (let n = 1; n <= rows; n += 1) {
    const line = `${n},First${n},Last${n},person${n}@example.com,${n % LEAVER_EVERY === 0 ? 'Terminated' : 'Active'},2020-01-${String((n % 28) + 1).padStart(2, '0')},Dept${n % 50},City${n % 30}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** The active employees of an export of `rows`: the people a provisioning target gives an account. */
export function activeEmployees(rows: number): number {
  return rows - Math.floor(rows / LEAVER_EVERY);
}

/**
 * The changed export of the change-report case: `writeExport`'s with, among the employed (none of
 * these is a multiple of LEAVER_EVERY), one in a hundred moved to another department, one in two
 * hundred turned leaver, one in five hundred gone, and as many hired (appended).
 */
const isMoved = (n: number) => n % 100 === 7;
const isLeaving = (n: number) => n % 200 === 13;
const isGone = (n: number) => n % 500 === 3;

/** What the change report of the changed export against `writeExport`'s must say. */
export interface ExpectedChanges {
  added: number;
  changed: number;
  deactivated: number;
}

/** Writes the changed export of `rows` employees; returns the report it must give. */
export async function writeChangedExport(path: string, rows: number): Promise<ExpectedChanges> {
  const out = createWriteStream(path);
  out.write(HEADER);
  const expected: ExpectedChanges = { added: 0, changed: 0, deactivated: 0 };
  const line = (n: number, status: string, department: string) =>
    `${n},First${n},Last${n},person${n}@example.com,${status},2020-01-${String((n % 28) + 1).padStart(2, '0')},${department},City${n % 30}\n`;
  const emit = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  for (let n = 1; n <= rows; n += 1) {
    const status = n % LEAVER_EVERY === 0 ? 'Terminated' : 'Active';
    if (isGone(n)) expected.deactivated += 1;
    else if (isLeaving(n)) {
      expected.deactivated += 1;
      await emit(line(n, 'Terminated', `Dept${n % 50}`));
    } else if (isMoved(n)) {
      expected.changed += 1;
      await emit(line(n, status, `Moved${n % 50}`));
    } else await emit(line(n, status, `Dept${n % 50}`));
  }
  for (let hire = 1; hire <= Math.floor(rows / 500); hire += 1) {
    expected.added += 1;
    await emit(line(rows + hire, 'Active', 'Dept0'));
  }
  out.end();
  await once(out, 'finish');
  return expected;
}
