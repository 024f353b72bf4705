import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { REPO_ROOT } from './harness';

type Row = Record<string, string>;

/** The example HR export (examples/data/acme-hr-export.csv) the demo and the tests run. */
export interface ExampleRoster {
  /** The file as it is. */
  text: string;
  header: string[];
  rows: Row[];
  /** Every work email and employee id in it: what a target may hold after receiving it. */
  keys: Set<string>;
  /** Values that name a person: full names, last names, work emails. */
  personalData: string[];
}

export function readExampleRoster(): ExampleRoster {
  const text = readFileSync(join(REPO_ROOT, 'examples', 'data', 'acme-hr-export.csv'), 'utf8');
  const [header, ...records] = parse(text);
  const rows = records.map((cells) => Object.fromEntries(header!.map((name, at) => [name, cells[at] ?? ''])));
  return { text, header: header!, rows, keys: new Set(rows.flatMap(keysOf)), personalData: rows.flatMap(namesOf) };
}

/** Bad rows appended to the example roster, each with the line it lands on. */
export interface BadRows {
  /** The example export with the bad rows after it. */
  text: string;
  invalidEmailLine: number;
  duplicateLine: number;
  missingFieldLine: number;
  /** The people the bad rows name, and the invalid address itself. */
  personalData: string[];
}

/**
 * The example roster plus three active employees a target must refuse one by one: one with an
 * invalid work email, one with the work email of the roster's first employee, one without
 * `requiredColumn`. Made-up surnames nobody else has, so a leak is found by looking for them.
 */
export function badRowsRoster(example: ExampleRoster, requiredColumn: string): BadRows {
  if (!example.header.includes(requiredColumn)) {
    throw new Error(
      `requiredColumn "${requiredColumn}" is not a column of the example export (${example.header.join(', ')})`,
    );
  }
  const first = example.rows[0]!;
  const person = (id: string, firstName: string, lastName: string, email: string): Row => ({
    ...first,
    'Employee ID': id,
    'Employee #': `E-${id}`,
    'First Name': firstName,
    'Last Name': lastName,
    'Preferred Name': '',
    'Work Email': email,
    Status: 'Active',
    'Manager ID': '',
  });
  const bad = [
    person('2901', 'Ines', 'Quenby', 'not-an-email'),
    person('2902', 'Dana', 'Ravensworth', first['Work Email']!),
    { ...person('2903', 'Mia', 'Sallowmere', 'mia.sallowmere@acme.example'), [requiredColumn]: '' },
  ];
  const lines = example.text.trimEnd().split('\n').length;
  const appended = stringify(bad, { columns: example.header, header: false, record_delimiter: 'unix' });
  return {
    text: `${example.text.trimEnd()}\n${appended}`,
    invalidEmailLine: lines + 1,
    duplicateLine: lines + 2,
    missingFieldLine: lines + 3,
    personalData: [...bad.flatMap(namesOf).filter((value) => value !== first['Work Email']), 'not-an-email'],
  };
}

function keysOf(row: Row): string[] {
  return [row['Work Email']!.toLowerCase(), row['Employee ID']!].filter((key) => key !== '');
}

// First names alone are too short to search for ("Grace" is in "shutdownGraceTime"); full names are not.
function namesOf(row: Row): string[] {
  return [`${row['First Name']} ${row['Last Name']}`, row['Last Name']!, row['Work Email']!].filter(
    (value) => value !== '',
  );
}
