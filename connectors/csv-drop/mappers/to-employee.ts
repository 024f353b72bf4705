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

/** Builds the row mapper once per file: header lookups and the status table are resolved up front. */
export function createRowMapper(config: CsvDropConfig) {
  const statusWords = new Map<string, EmploymentStatus>(Object.entries(DEFAULT_STATUS_WORDS));
  for (const [word, status] of Object.entries(config.statusMap)) statusWords.set(word.trim().toLowerCase(), status);

  const headerOf = (field: string): string => (config.columns as Record<string, string | undefined>)[field] ?? field;
  const statusHeader = headerOf('status');

  return (row: CsvRow, rowLabel: string): MappedRow => {
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

    return validateEmployee(candidate, rowLabel);
  };
}
