import { Buffer } from 'node:buffer';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import type { CsvEncoding } from '../../../connectors/csv-drop/config';
import type { Person } from '../support/people';

/** An HR export's own header names, as an HRIS report would title them; the config maps them. */
export const PEOPLE_CSV_COLUMNS = {
  sourceId: 'Employee ID',
  employeeNumber: 'Employee #',
  firstName: 'First Name',
  lastName: 'Last Name',
  preferredName: 'Preferred Name',
  workEmail: 'Work Email',
  status: 'Employment Status',
  hireDate: 'Hire Date',
  terminationDate: 'Termination Date',
  jobTitle: 'Job Title',
  department: 'Department',
  division: 'Division',
  location: 'Office',
  costCenter: 'Cost Centre',
  employmentType: 'Employment Type',
  managerSourceId: 'Manager ID',
  updatedAt: 'Last Modified',
} as const;

/** The export's status words; all are among the connector's built-in words. */
export const STATUS_WORDS: Record<Person['status'], string> = {
  active: 'Active',
  pending: 'Pre-hire',
  leave: 'On Leave',
  inactive: 'Terminated',
};

export interface CsvFileOptions {
  encoding: CsvEncoding;
  /** Starts the file with the encoding's byte-order mark. */
  bom: boolean;
  delimiter: string;
  /** Windows exports end lines with CRLF. */
  lineEnding: '\n' | '\r\n';
}

export const DEFAULT_CSV_FILE: CsvFileOptions = { encoding: 'utf-8', bom: false, delimiter: ',', lineEnding: '\n' };

/** `people` as an HR export would write them, in the given encoding. */
export function renderPeopleCsv(people: readonly Person[], options: CsvFileOptions = DEFAULT_CSV_FILE): Buffer {
  const rows = people.map((person) => ({
    [PEOPLE_CSV_COLUMNS.sourceId]: person.id,
    [PEOPLE_CSV_COLUMNS.employeeNumber]: person.employeeNumber,
    [PEOPLE_CSV_COLUMNS.firstName]: person.firstName,
    [PEOPLE_CSV_COLUMNS.lastName]: person.lastName,
    [PEOPLE_CSV_COLUMNS.preferredName]: person.preferredName ?? '',
    [PEOPLE_CSV_COLUMNS.workEmail]: person.email,
    [PEOPLE_CSV_COLUMNS.status]: STATUS_WORDS[person.status],
    [PEOPLE_CSV_COLUMNS.hireDate]: person.hireDate,
    [PEOPLE_CSV_COLUMNS.terminationDate]: person.terminationDate ?? '',
    [PEOPLE_CSV_COLUMNS.jobTitle]: person.jobTitle,
    [PEOPLE_CSV_COLUMNS.department]: person.department,
    [PEOPLE_CSV_COLUMNS.division]: person.division,
    [PEOPLE_CSV_COLUMNS.location]: person.location,
    [PEOPLE_CSV_COLUMNS.costCenter]: person.costCenter,
    [PEOPLE_CSV_COLUMNS.employmentType]: person.employmentType,
    [PEOPLE_CSV_COLUMNS.managerSourceId]: person.managerId ?? '',
    [PEOPLE_CSV_COLUMNS.updatedAt]: person.updatedAt,
    Team: `Squad ${Number(person.id) % 3}`,
  }));
  const text = stringify(rows, {
    header: true,
    columns: [...Object.values(PEOPLE_CSV_COLUMNS), 'Team'],
    delimiter: options.delimiter,
    record_delimiter: options.lineEnding,
  });
  return encodeText(text, options);
}

/** Text in the given encoding, with its byte-order mark when asked. */
export function encodeText(text: string, options: Pick<CsvFileOptions, 'encoding' | 'bom'>): Buffer {
  return Buffer.from(iconv.encode(text, options.encoding, { addBOM: options.bom }));
}
