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
