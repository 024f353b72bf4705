import type { CsvEncoding } from '../../connectors/csv-drop/config';
import type { RowRejection } from '../../connectors/sdk/source';
import type { Employee } from '../../core/employee';
import type { RosterflowErrorType } from '../../core/errors';

/**
 * The bad-input corpus: every file under test/fixtures/bad-input/ with what the CSV drop source
 * (the example sync's column mapping) and the example's csv-file layout make of it. Rejections
 * name a line and a field, never a value. `test/unit/bad-input.test.ts` asserts each one exactly.
 */

/** What the example's csv-file layout (`out/acme-people.csv`) renders from the accepted records. */
export interface RenderExpectation {
  /** Employees written to the file. */
  rendered: number;
  /** Employees the target's `statuses` leave out (leavers). */
  filteredOut: number;
  /** The whole file, byte for byte. */
  csv: string;
}

export type Expectation =
  /** Every row becomes an employee and every employee passes the render checks. */
  | {
      kind: 'accepted';
      records: number;
      /** Matched against the records in order (`toMatchObject`), where the output alone does not show it. */
      employees?: Partial<Employee>[];
      /** Absent when no record reaches rendering (a run stops with `SourceEmpty` before it). */
      render?: RenderExpectation;
    }
  /** The source rejects some rows (by line and field); the rest are rendered without rejections. */
  | {
      kind: 'rows-rejected';
      records: number;
      rejections: RowRejection[];
      employees?: Partial<Employee>[];
      render: RenderExpectation;
    }
  /** The source accepts every row; the render checks refuse some employees (by source line and column). */
  | { kind: 'render-rejected'; records: number; rejections: RowRejection[]; render: RenderExpectation }
  /** The listing fails as a whole, before or while reading rows. */
  | { kind: 'file-fails'; type: RosterflowErrorType; message: string };

export interface BadInputCase {
  /** Names the test; one file may be read under several configs. */
  name: string;
  /** Under test/fixtures/bad-input/. */
  file: string;
  /** Overrides of the example sync's source config. */
  config?: { encoding?: CsvEncoding; delimiter?: string };
  expect: Expectation;
}

/** The header of the example's csv-file target. */
const OUT = 'Email,First Name,Last Name,Title,Department,Location,Team,Status\n';
const ADA = 'ada.lovelace@acme.example,Ada,Lovelace,Chief Engineer,Engineering,London,Platform,active\n';

/** long-fields.csv: a 100 000-character ASCII Job Title, and a Team of 51 200 two-byte characters (100 KiB). */
export const LONG_TITLE = `${'Principal '.repeat(9_999)}Principal.`;
export const LONG_TEAM = 'ü'.repeat(51_200);

/** Rejections name the column as the example config maps it (the file's own header), not the canonical field. */
const invalidEmail = (line: number): RowRejection => ({
  row: `line ${line}`,
  field: 'Work Email',
  reason: 'is not a valid email address',
});
const unknownStatus = (line: number): RowRejection => ({
  row: `line ${line}`,
  field: 'Status',
  reason: 'is not a known status word',
});
const notIsoDate = (line: number, field = 'Hire Date'): RowRejection => ({
  row: `line ${line}`,
  field,
  reason: 'must be an ISO date (YYYY-MM-DD)',
});
/** The render names an employee by the source line it came from, like the source does. */
const repeatedEmail = (line: number): RowRejection => ({
  row: `line ${line}`,
  field: 'Email',
  reason: 'repeats a value an earlier row of acme-people.csv has',
});

export const BAD_INPUT_CASES: BadInputCase[] = [
  {
    // No @, a space, two @, no top-level domain, two dots in a row, a leading dot, two addresses.
    // Padding around a valid address is trimmed; an empty email is allowed (the field is optional).
    name: 'invalid emails are rejected by line; a padded one is trimmed, an empty one allowed',
    file: 'invalid-emails.csv',
    expect: {
      kind: 'rows-rejected',
      records: 3,
      rejections: [3, 4, 5, 6, 7, 9, 11].map((line) => invalidEmail(line)),
      employees: [
        { sourceId: '2001', workEmail: 'ada.lovelace@acme.example' },
        { sourceId: '2007', workEmail: 'linus.torvalds@acme.example' },
        { sourceId: '2009' },
      ],
      render: {
        rendered: 3,
        filteredOut: 0,
        csv:
          OUT +
          ADA +
          'linus.torvalds@acme.example,Linus,Torvalds,Kernel Engineer,Engineering,Portland,Kernel,active\n' +
          ',Radia,Perlman,Network Architect,Infrastructure,Seattle,Networks,active\n',
      },
    },
  },
  {
    // The same address again, then in other case; a leaver's address is free for an active
    // employee because the leaver is not in the file.
    name: 'duplicate emails (same or other case) are refused by the render check, keeping the first',
    file: 'duplicate-emails.csv',
    expect: {
      kind: 'render-rejected',
      records: 5,
      rejections: [repeatedEmail(3), repeatedEmail(4)],
      render: {
        rendered: 2,
        filteredOut: 1,
        csv:
          OUT + ADA + 'Grace.Hopper@acme.example,Grace,Murray,Staff Engineer,Engineering,New York,Compilers,active\n',
      },
    },
  },
  {
    // Line 4 reuses line 2's id with another person, line 5 repeats line 3 exactly. Line 6 is
    // rejected for its email, so line 7 with the same id is the first accepted one and stays.
    name: 'a repeated employee id is rejected on every line after the first accepted one',
    file: 'duplicate-ids.csv',
    expect: {
      kind: 'rows-rejected',
      records: 3,
      rejections: [
        { row: 'line 4', field: 'Employee ID', reason: 'is already on line 2' },
        { row: 'line 5', field: 'Employee ID', reason: 'is already on line 3' },
        invalidEmail(6),
      ],
      employees: [
        { sourceId: '4001', firstName: 'Ada' },
        { sourceId: '4002', firstName: 'Grace' },
        { sourceId: '4005', workEmail: 'alan.turing@acme.example' },
      ],
      render: {
        rendered: 3,
        filteredOut: 0,
        csv:
          OUT +
          ADA +
          'grace.hopper@acme.example,Grace,Hopper,Staff Engineer,Engineering,New York,Compilers,active\n' +
          'alan.turing@acme.example,Alan,Turing,Researcher,Research,Manchester,Crypto,active\n',
      },
    },
  },
  {
    // Two "Work Email" columns: which one holds the work address cannot be told.
    name: 'a mapped column that appears twice in the header fails the file',
    file: 'duplicate-header.csv',
    expect: {
      kind: 'file-fails',
      type: 'InvalidInput',
      message: 'csv source: the file header has the column(s) "Work Email" more than once',
    },
  },
  {
    // An empty id, an empty status, and both only blanks.
    name: 'rows without an id or a status are rejected, naming each missing field',
    file: 'missing-required.csv',
    expect: {
      kind: 'rows-rejected',
      records: 1,
      rejections: [
        { row: 'line 3', field: 'Employee ID', reason: 'is required' },
        { row: 'line 4', field: 'Status', reason: 'is required' },
        { row: 'line 5', field: 'Employee ID', reason: 'is required' },
        { row: 'line 5', field: 'Status', reason: 'is required' },
      ],
      render: { rendered: 1, filteredOut: 0, csv: OUT + ADA },
    },
  },
  {
    name: 'a header without the mapped Status column fails the file before any row',
    file: 'missing-status-column.csv',
    expect: {
      kind: 'file-fails',
      type: 'InvalidInput',
      message: 'csv source: the file header lacks the column(s) "Status" (source.columns.status)',
    },
  },
  {
    name: 'a UTF-8 byte-order mark is skipped, so the first header is still "Employee ID"',
    file: 'utf8-bom.csv',
    expect: {
      kind: 'accepted',
      records: 2,
      employees: [{ sourceId: '6001', firstName: 'Zoë' }, { sourceId: '6002' }],
      render: {
        rendered: 2,
        filteredOut: 0,
        csv:
          OUT +
          'zoe.bronte@acme.example,Zoë,Brontë,Novelist,Writing,Haworth,Moors,active\n' +
          'juergen.groesse@acme.example,Jürgen,Größe,Ingénieur,Engineering,München,Straße,leave\n',
      },
    },
  },
  {
    name: 'a UTF-8 byte-order mark contradicting source.encoding fails the file, naming the right one',
    file: 'utf8-bom.csv',
    config: { encoding: 'windows-1252' },
    expect: {
      kind: 'file-fails',
      type: 'InvalidInput',
      message:
        'csv source: the file starts with a UTF-8 byte-order mark but source.encoding is windows-1252; set it to utf-8',
    },
  },
  {
    // Line 3 is the first with a byte above 0x7F (é in Renée), which is not UTF-8 on its own.
    name: 'Windows-1252 bytes read as the default UTF-8 fail the file at the first bad line, never as U+FFFD',
    file: 'windows-1252.csv',
    expect: {
      kind: 'file-fails',
      type: 'InvalidInput',
      message: 'csv source: the file is not valid UTF-8 at line 3 (an invalid byte sequence); check source.encoding',
    },
  },
  {
    // CRLF line ends, and é ü ç Ž Š á – € as single Windows-1252 bytes.
    name: 'the same Windows-1252 file with source.encoding windows-1252 is read correctly',
    file: 'windows-1252.csv',
    config: { encoding: 'windows-1252' },
    expect: {
      kind: 'accepted',
      records: 3,
      render: {
        rendered: 3,
        filteredOut: 0,
        csv:
          OUT +
          ADA +
          'renee.mueller@acme.example,Renée,Müller,Ingénieure,Engineering,Zürich,Façades,active\n' +
          'zofia.simkova@acme.example,Žofia,Šimková,Analyst – Finance,Finance,Brno,€ Budget,active\n',
      },
    },
  },
  {
    // With a comma delimiter the whole semicolon header is one column name.
    name: 'a semicolon-delimited file read with the default comma fails on the header',
    file: 'semicolon.csv',
    expect: {
      kind: 'file-fails',
      type: 'InvalidInput',
      message:
        'csv source: the file header lacks the column(s) "Employee ID" (source.columns.sourceId), ' +
        '"Employee #" (source.columns.employeeNumber), "First Name" (source.columns.firstName), ' +
        '"Last Name" (source.columns.lastName), "Preferred Name" (source.columns.preferredName), ' +
        '"Work Email" (source.columns.workEmail), "Status" (source.columns.status), ' +
        '"Hire Date" (source.columns.hireDate), "Termination Date" (source.columns.terminationDate), ' +
        '"Job Title" (source.columns.jobTitle), "Department" (source.columns.department), ' +
        '"Location" (source.columns.location), "Manager ID" (source.columns.managerSourceId), ' +
        '"Team" (source.customFields.team)',
    },
  },
  {
    name: 'the same semicolon file with source.delimiter ";" is read, a comma inside a cell kept',
    file: 'semicolon.csv',
    config: { delimiter: ';' },
    expect: {
      kind: 'accepted',
      records: 2,
      render: {
        rendered: 2,
        filteredOut: 0,
        csv:
          OUT +
          'ada.lovelace@acme.example,Ada,Lovelace,Chief Engineer,Engineering,London,"Languages, Types",active\n' +
          'grace.hopper@acme.example,Grace,Hopper,Staff Engineer,Engineering,New York,Compilers,active\n',
      },
    },
  },
  {
    // RFC 4180: doubled quotes, commas and line breaks (one of them a blank line) in quoted cells.
    name: 'quoted cells with quotes, commas and line breaks are accepted and kept as written',
    file: 'quoted-multiline.csv',
    expect: {
      kind: 'accepted',
      records: 2,
      employees: [
        {
          sourceId: '8001',
          firstName: 'Katherine "Kathy"',
          preferredName: 'Kathy',
          jobTitle: 'Principal Analyst\nTrajectories',
          location: 'Hampton, VA',
          customFields: { team: 'Orbits "and"\n\nRe-entry' },
        },
        { sourceId: '8002', lastName: "O'Hopper, Jr.", jobTitle: 'Staff "Compiler" Engineer' },
      ],
      render: {
        rendered: 2,
        filteredOut: 0,
        csv:
          OUT +
          // Every target writes a cell on one line (docs/targets.md): each run of line breaks is one space.
          'katherine.johnson@acme.example,"Katherine ""Kathy""",Johnson,Principal Analyst Trajectories,' +
          'Research,"Hampton, VA","Orbits ""and"" Re-entry",active\n' +
          'grace.hopper@acme.example,Grace,"O\'Hopper, Jr.","Staff ""Compiler"" Engineer",Engineering,"New York, NY",,active\n',
      },
    },
  },
  {
    // CRLF file: records spanning lines 2-3, 6-8 and 9-10 and a blank line 4. A rejected row is
    // named by the line it starts on (line 9's email has a line break in it).
    name: 'rows after multi-line cells and blank lines are named by the line they start on',
    file: 'multiline-line-numbers.csv',
    expect: {
      kind: 'rows-rejected',
      records: 2,
      rejections: [invalidEmail(5), invalidEmail(9), unknownStatus(11)],
      render: {
        rendered: 2,
        filteredOut: 0,
        csv:
          OUT +
          'ada.lovelace@acme.example,Ada,Lovelace,Chief Engineer,Engineering,London,Platform,active\n' +
          'katherine.johnson@acme.example,Katherine,Johnson,Principal Analyst,Research,Hampton,Trajec tories,active\n',
      },
    },
  },
  {
    // The quote opened on line 3 runs to the end of the file (line 5).
    name: 'an unterminated quote fails the file, naming the line where the quoted record starts',
    file: 'unterminated-quote.csv',
    expect: {
      kind: 'file-fails',
      type: 'InvalidInput',
      message: 'csv source: malformed CSV at line 3: a quote is never closed',
    },
  },
  {
    name: 'a row with fewer cells than the header fails the file at that line',
    file: 'ragged-row.csv',
    expect: {
      kind: 'file-fails',
      type: 'InvalidInput',
      message: 'csv source: malformed CSV at line 3: the row has 12 cells where the header has 14',
    },
  },
  {
    // The Team cell spans the file's 64 KiB read chunks; the one at 128 KiB splits a two-byte character.
    name: 'cells of 100 kB are read and written whole; the line count after them stays right',
    file: 'long-fields.csv',
    expect: {
      kind: 'rows-rejected',
      records: 2,
      rejections: [invalidEmail(4)],
      employees: [
        { sourceId: '1501', jobTitle: LONG_TITLE },
        { sourceId: '1502', customFields: { team: LONG_TEAM } },
      ],
      render: {
        rendered: 2,
        filteredOut: 0,
        csv:
          OUT +
          `ada.lovelace@acme.example,Ada,Lovelace,${LONG_TITLE},Engineering,London,Platform,active\n` +
          `grace.hopper@acme.example,Grace,Hopper,Sr Engineer,Engineering,New York,${LONG_TEAM},active\n`,
      },
    },
  },
  {
    // Cells starting with =, +, - and @ (one after blanks, one after a tab, both trimmed by the
    // source). The canonical records keep the text; only the rendered file gets the leading '.
    name: 'formula cells are accepted as text and neutralised with a leading apostrophe in the output',
    file: 'formula-injection.csv',
    expect: {
      kind: 'accepted',
      records: 6,
      employees: [
        { sourceId: '1101', firstName: '=HYPERLINK("http://evil.example","Click")' },
        { sourceId: '1102', lastName: '+Hopper', jobTitle: "+CMD|' /C calc'!A0" },
        { sourceId: '1103', department: '-2+3' },
        { sourceId: '1104', location: '@SUM(A1:A9)' },
        { sourceId: '1105', customFields: { team: '=1+1' } },
        { sourceId: '1106', jobTitle: '=cmd()', customFields: { team: 'Team = Compute' } },
      ],
      render: {
        rendered: 6,
        filteredOut: 0,
        csv:
          OUT +
          `ada.lovelace@acme.example,"'=HYPERLINK(""http://evil.example"",""Click"")",Lovelace,Chief Engineer,Engineering,London,Platform,active\n` +
          "grace.hopper@acme.example,Grace,'+Hopper,'+CMD|' /C calc'!A0,Engineering,New York,Compilers,active\n" +
          "katherine.johnson@acme.example,Katherine,Johnson,Principal Analyst,'-2+3,Hampton,Trajectories,active\n" +
          "alan.turing@acme.example,Alan,Turing,Researcher,Research,'@SUM(A1:A9),Crypto,leave\n" +
          "margaret.hamilton@acme.example,Margaret,Hamilton,Engineering Manager,Engineering,Boston,'=1+1,pending\n" +
          "dorothy.vaughan@acme.example,Dorothy,Vaughan,'=cmd(),Operations,Hampton,Team = Compute,active\n",
      },
    },
  },
  {
    // Retired, Contractor, "On  Leave" (two spaces) and "Active?" are unknown; ACTIVE, " on leave ",
    // Pre-Hire and terminated are built-in words in another case or with blanks around.
    name: 'unknown status words are rejected, never guessed; known ones match in any case',
    file: 'unknown-status.csv',
    expect: {
      kind: 'rows-rejected',
      records: 4,
      rejections: [3, 5, 6, 8].map((line) => unknownStatus(line)),
      employees: [
        { sourceId: '1201', status: 'active', rawStatus: 'ACTIVE' },
        { sourceId: '1203', status: 'leave', rawStatus: 'on leave' },
        { sourceId: '1206', status: 'pending', rawStatus: 'Pre-Hire' },
        { sourceId: '1208', status: 'inactive', rawStatus: 'terminated', terminationDate: '2025-06-30' },
      ],
      render: {
        rendered: 3,
        filteredOut: 1,
        csv:
          OUT +
          ADA +
          'katherine.johnson@acme.example,Katherine,Johnson,Principal Analyst,Research,Hampton,Trajectories,leave\n' +
          'dorothy.vaughan@acme.example,Dorothy,Vaughan,Head of Computing,Operations,Hampton,Compute,pending\n',
      },
    },
  },
  {
    name: 'a future hire date is accepted with the status the file gives (pending or active)',
    file: 'future-hire-date.csv',
    expect: {
      kind: 'accepted',
      records: 3,
      employees: [
        { sourceId: '1301', status: 'pending', hireDate: '2099-01-04' },
        { sourceId: '1302', status: 'active', hireDate: '2099-06-15' },
        { sourceId: '1303', status: 'pending', rawStatus: 'Pre-hire', hireDate: '2099-12-31' },
      ],
      render: {
        rendered: 3,
        filteredOut: 0,
        csv:
          OUT +
          'ada.lovelace@acme.example,Ada,Lovelace,Chief Engineer,Engineering,London,Platform,pending\n' +
          'grace.hopper@acme.example,Grace,Hopper,Staff Engineer,Engineering,New York,Compilers,active\n' +
          'katherine.johnson@acme.example,Katherine,Johnson,Principal Analyst,Research,Hampton,Trajectories,pending\n',
      },
    },
  },
  {
    // 2026-02-30, 13/01/2026, 2026-13-01, 2025-02-29 (not a leap year), 31.12.2025 as termination
    // date, 2026-1-5 and a date-time. 2028-02-29 is a real date.
    name: 'impossible and non-ISO dates are rejected by line and field; a leap day is accepted',
    file: 'invalid-dates.csv',
    expect: {
      kind: 'rows-rejected',
      records: 1,
      rejections: [
        notIsoDate(3),
        notIsoDate(4),
        notIsoDate(5),
        notIsoDate(6),
        notIsoDate(7, 'Termination Date'),
        notIsoDate(8),
        notIsoDate(9),
      ],
      employees: [{ sourceId: '1401', hireDate: '2028-02-29' }],
      render: { rendered: 1, filteredOut: 0, csv: OUT + ADA },
    },
  },
  {
    // Not even a header: a failed or truncated export, unlike a roster with nobody in it.
    name: 'an empty file (0 bytes) fails as invalid input',
    file: 'empty.csv',
    expect: {
      kind: 'file-fails',
      type: 'InvalidInput',
      message: 'csv source: the file is empty; the header row is required',
    },
  },
  {
    // Spreadsheets save rows that were once edited as cells without values (`,,,,`), in the middle
    // and at the end; they hold nobody and are skipped, and later rows keep their own line numbers.
    name: 'rows whose every cell is empty are skipped, not rejected',
    file: 'trailing-empty-rows.csv',
    expect: {
      kind: 'rows-rejected',
      records: 2,
      rejections: [{ row: 'line 6', field: 'Employee ID', reason: 'is required' }],
      render: {
        rendered: 2,
        filteredOut: 0,
        csv:
          OUT + ADA + 'grace.hopper@acme.example,Grace,Hopper,Staff Engineer,Engineering,New York,Compilers,active\n',
      },
    },
  },
  {
    // Nobody in the roster: no records and no error; the run stops with SourceEmpty before rendering.
    name: 'a header-only file yields no records and no error',
    file: 'header-only.csv',
    expect: { kind: 'accepted', records: 0 },
  },
];
