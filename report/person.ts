import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Employee } from '../core/employee';
import type { ArtifactLayout, CsvRow } from '../targets/sdk/layout';

/**
 * What the target makes of one person in a run, as the build saw it: the change report's input
 * (report/compare.ts). Kept with the run's artifact pages (personal data: MongoDB only, never
 * Temporal), so the next run compares against exactly what this one delivered.
 */
export interface PersonRecord {
  /** The source's id of the person. */
  id: string;
  /** In the files (`delivered`), wanted by no file (`left-out`), or refused by a row check (`refused`). */
  state: PersonState;
  /** Any status but inactive: still works here. */
  employed: boolean;
  /** Inactive with a termination date: a leaver, not a record switched off. */
  left: boolean;
  /** How the report names the person: display name (or first and last), work email. */
  name: string;
  email: string;
  /** For `delivered`: one cell per report column (`reportColumns`), a person's several rows joined by a line break. */
  cells?: string[];
}

export type PersonState = 'delivered' | 'left-out' | 'refused';

const STATE_CODES: Record<PersonState, number> = { delivered: 0, 'left-out': 1, refused: 2 };
const STATES: readonly PersonState[] = ['delivered', 'left-out', 'refused'];

/** The columns a report compares: each file's headers, named by header alone when the target has one file. */
export function reportColumns(layouts: readonly ArtifactLayout[]): string[] {
  return layouts.flatMap((layout) =>
    layout.headers.map((header) => (layouts.length === 1 ? header : `${layout.fileName}: ${header}`)),
  );
}

export function personRecord(
  employee: Employee,
  state: PersonState,
  /** For `delivered`: the person's rows in each file, and each file's number of columns. */
  rendered?: { rowsPerFile: readonly (readonly CsvRow[])[]; widths: readonly number[] },
): PersonRecord {
  const name =
    employee.displayName ??
    ([employee.preferredName ?? employee.firstName, employee.lastName].filter(Boolean).join(' ') || '');
  return {
    id: employee.sourceId,
    state,
    employed: employee.status !== 'inactive',
    left: employee.status === 'inactive' && employee.terminationDate !== undefined,
    name,
    email: employee.workEmail ?? '',
    ...(state === 'delivered' && rendered ? { cells: cellsOf(rendered.rowsPerFile, rendered.widths) } : {}),
  };
}

/** Every file's cells of one person, in report-column order. */
function cellsOf(rowsPerFile: readonly (readonly CsvRow[])[], widths: readonly number[]): string[] {
  const cells: string[] = [];
  for (const [file, rows] of rowsPerFile.entries()) {
    for (let column = 0; column < (widths[file] ?? 0); column += 1) {
      cells.push(rows.length === 1 ? (rows[0]![column] ?? '') : rows.map((row) => row[column] ?? '').join('\n'));
    }
  }
  return cells;
}

/** A record as one compact JSON tuple: [id, state, flags, name, email, cells?]. */
type PersonTuple = [string, number, number, string, string, string[]?];

/** A page's people, as stored: a deflated JSON array of tuples (level 1, like the pages' bytes). */
export function encodePeople(people: readonly PersonRecord[]): Buffer {
  const tuples = people.map((person): PersonTuple => {
    const flags = (person.employed ? 1 : 0) | (person.left ? 2 : 0);
    const tuple: PersonTuple = [person.id, STATE_CODES[person.state], flags, person.name, person.email];
    if (person.cells) tuple.push(person.cells);
    return tuple;
  });
  return deflateRawSync(Buffer.from(JSON.stringify(tuples), 'utf8'), { level: 1 });
}

/** A stored page's people, checked tuple by tuple as they are read back (the store is outside this process). */
export function decodePeople(bytes: Uint8Array): PersonRecord[] {
  const tuples: unknown = JSON.parse(inflateRawSync(bytes).toString('utf8'));
  if (!Array.isArray(tuples) || !tuples.every(isPersonTuple))
    throw new Error("a stored page's people are not in the expected form (written by another version?)");
  return tuples.map(([id, state, flags, name, email, cells]) => ({
    id,
    state: STATES[state] ?? 'left-out',
    employed: (flags & 1) !== 0,
    left: (flags & 2) !== 0,
    name,
    email,
    ...(cells ? { cells } : {}),
  }));
}

function isPersonTuple(value: unknown): value is PersonTuple {
  if (!Array.isArray(value) || value.length < 5 || value.length > 6) return false;
  const [id, state, flags, name, email, cells] = value as unknown[];
  return (
    typeof id === 'string' &&
    typeof state === 'number' &&
    typeof flags === 'number' &&
    typeof name === 'string' &&
    typeof email === 'string' &&
    (cells === undefined || (Array.isArray(cells) && cells.every((cell) => typeof cell === 'string')))
  );
}
