import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { hash64 } from '../core/hash64';
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

/**
 * A page's people, as stored: one JSON tuple a line (a value's own line breaks are escaped), deflated
 * (level 1, like the pages' bytes), so a reader can parse only the lines it needs.
 */
export function encodePeople(people: readonly PersonRecord[]): Buffer {
  const lines = people.map((person) => {
    const flags = (person.employed ? 1 : 0) | (person.left ? 2 : 0);
    const tuple: PersonTuple = [person.id, STATE_CODES[person.state], flags, person.name, person.email];
    if (person.cells) tuple.push(person.cells);
    return JSON.stringify(tuple);
  });
  return deflateRawSync(Buffer.from(lines.join('\n'), 'utf8'), { level: 1 });
}

/**
 * Reads a stored page's people one by one, each line parsed only when asked and checked as it is
 * (the store is outside this process).
 */
export function peopleReader(bytes: Uint8Array): { count: number; at: (position: number) => PersonRecord } {
  const text = inflateRawSync(bytes).toString('utf8');
  const lines = text.length === 0 ? [] : text.split('\n');
  return {
    count: lines.length,
    at: (position) => {
      const tuple: unknown = JSON.parse(lines[position] ?? 'null');
      if (!isPersonTuple(tuple))
        throw new Error("a stored page's people are not in the expected form (written by another version?)");
      const [id, state, flags, name, email, cells] = tuple;
      return {
        id,
        state: STATES[state] ?? 'left-out',
        employed: (flags & 1) !== 0,
        left: (flags & 2) !== 0,
        name,
        email,
        ...(cells ? { cells } : {}),
      };
    },
  };
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

/**
 * A page's people as the comparison first reads them: per person its id hash, a fingerprint of its
 * cells (0 when not in the files) and its state and flags, in the order of the page's records, so
 * most people (the unchanged) are decided without decoding the page at all.
 */
export interface PeopleIndex {
  ids: BigUint64Array;
  fingerprints: BigUint64Array;
  /** Bits 0-1: the state (STATE_CODES); bit 2: employed; bit 3: left. */
  flags: Uint8Array;
}

export const INDEX_EMPLOYED = 4;
export const INDEX_LEFT = 8;
export const indexState = (flags: number): PersonState => STATES[flags & 3] ?? 'left-out';

/** The cells of a person in the files as one 64-bit hash (report columns' order). */
export function cellsFingerprint(cells: readonly string[]): bigint {
  return hash64(cells.join('\u0000'));
}

export function encodeIndex(people: readonly PersonRecord[]): Buffer {
  const count = people.length;
  const bytes = Buffer.from(new ArrayBuffer(count * 17));
  const ids = new BigUint64Array(bytes.buffer, bytes.byteOffset, count);
  const fingerprints = new BigUint64Array(bytes.buffer, bytes.byteOffset + count * 8, count);
  const flags = bytes.subarray(count * 16);
  for (const [at, person] of people.entries()) {
    ids[at] = hash64(person.id);
    fingerprints[at] = person.cells ? cellsFingerprint(person.cells) : 0n;
    flags[at] = STATE_CODES[person.state] | (person.employed ? INDEX_EMPLOYED : 0) | (person.left ? INDEX_LEFT : 0);
  }
  return bytes;
}

export function decodeIndex(bytes: Uint8Array): PeopleIndex {
  if (bytes.byteLength % 17 !== 0) throw new Error(`a people index of ${bytes.byteLength} bytes is not whole`);
  const count = bytes.byteLength / 17;
  // Copied: a driver buffer may sit at an offset that is not a multiple of 8.
  const copy = new Uint8Array(bytes);
  return {
    ids: new BigUint64Array(copy.buffer, 0, count),
    fingerprints: new BigUint64Array(copy.buffer, count * 8, count),
    flags: copy.subarray(count * 16),
  };
}
