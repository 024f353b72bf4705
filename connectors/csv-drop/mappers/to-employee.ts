import { EMPLOYEE_FIELDS } from '../../../core/employee';
import type { EmploymentStatus } from '../../../core/employee';
import { validateEmployee } from '../../sdk/mapping';
import type { MappedRow } from '../../sdk/mapping';
import type { CsvDropConfig } from '../config';

type CsvRow = Record<string, string>;

const DEFAULT_STATUS_WORDS: Record<string, EmploymentStatus> = {
  active: 'active',
  pending: 'pending',
  'pre-hire': 'pending',
  leave: 'leave',
  'on leave': 'leave',
  inactive: 'inactive',
  terminated: 'inactive',
};

/**
 * The column a canonical field is read from, as the user wrote it in the file's header (`Employee ID`
 * for `sourceId`, `Team` for `customFields.team`): what every rejection of a CSV row names.
 */
export function columnOf(config: CsvDropConfig, field: string): string {
  if (field.startsWith('customFields.')) return config.customFields[field.slice('customFields.'.length)] ?? field;
  return (config.columns as Record<string, string | undefined>)[field] ?? field;
}

/**
 * Builds the row mapper once per file: header lookups and the status table are resolved up front.
 * A row is named by the line it starts on, its fields by their columns; the employee keeps the line.
 */
export function createRowMapper(config: CsvDropConfig) {
  const statusWords = new Map<string, EmploymentStatus>(Object.entries(DEFAULT_STATUS_WORDS));
  for (const [word, status] of Object.entries(config.statusMap)) statusWords.set(word.trim().toLowerCase(), status);

  const headerOf = (field: string): string => columnOf(config, field);
  const statusHeader = headerOf('status');

  return (row: CsvRow, line: number): MappedRow => {
    const mapped = mapRow(row, line);
    if (mapped.ok) return mapped;
    return {
      ok: false,
      rejections: mapped.rejections.map((rejection) => ({ ...rejection, field: headerOf(rejection.field) })),
    };
  };

  function mapRow(row: CsvRow, line: number): MappedRow {
    const rowLabel = `line ${line}`;
    const candidate: Record<string, unknown> = {};
    for (const field of EMPLOYEE_FIELDS) {
      if (field === 'status' || field === 'rawStatus') continue;
      const value = row[headerOf(field)]?.trim();
      if (value) candidate[field] = value;
    }

    const rawStatus = row[statusHeader]?.trim();
    if (rawStatus) {
      candidate['rawStatus'] = rawStatus;
      const status = statusWords.get(rawStatus.toLowerCase());
      // An unknown status is rejected rather than guessed: guessing "inactive" would deactivate someone.
      if (status === undefined) {
        return { ok: false, rejections: [{ row: rowLabel, field: 'status', reason: 'is not a known status word' }] };
      }
      candidate['status'] = status;
    }

    const customFields: Record<string, string> = {};
    for (const [name, header] of Object.entries(config.customFields)) {
      const value = row[header]?.trim();
      if (value) customFields[name] = value;
    }
    if (Object.keys(customFields).length > 0) candidate['customFields'] = customFields;
    candidate['sourceLine'] = line;

    return validateEmployee(candidate, rowLabel);
  }
}
