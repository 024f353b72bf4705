import { EMPLOYEE_FIELDS } from '../../../core/employee';
import type { EmploymentStatus } from '../../../core/employee';
import { validateCompactEmployee } from '../../sdk/mapping';
import type { MappedRow } from '../../sdk/mapping';
import type { CsvDropConfig } from '../config';

/** What mapping a row reads of the source's config. */
type MappingSettings = Pick<CsvDropConfig, 'columns' | 'customFields' | 'statusMap'>;

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
export function columnOf(config: MappingSettings, field: string): string {
  if (field.startsWith('customFields.')) return config.customFields[field.slice('customFields.'.length)] ?? field;
  return (config.columns as Record<string, string | undefined>)[field] ?? field;
}

/**
 * Builds the row mapper once per file, from its header: each field's cell index and the status table
 * are resolved up front, so a row is read by position (a million rows, no object per row). A row is
 * named by the line it starts on, its fields by their columns; the employee keeps the line.
 */
export function createRowMapper(config: MappingSettings, header: readonly string[]) {
  const statusWords = new Map<string, EmploymentStatus>(Object.entries(DEFAULT_STATUS_WORDS));
  for (const [word, status] of Object.entries(config.statusMap)) statusWords.set(word.trim().toLowerCase(), status);

  const headerOf = (field: string): string => columnOf(config, field);
  // Read columns are in the header once (the source checks it), so the first match is the one.
  const cellOf = (column: string): number => header.indexOf(column);
  // The mapped fields in the schema's order, so a valid row's candidate is its record as it is (not
  // copied into that order): status where the schema has it, custom fields just before updatedAt.
  const fields = EMPLOYEE_FIELDS.filter((field) => field !== 'status' && field !== 'rawStatus')
    .map((field) => ({ field, at: cellOf(headerOf(field)) }))
    .filter(({ at }) => at >= 0);
  const statusAt = cellOf(headerOf('status'));
  const statusSlot = EMPLOYEE_FIELDS.indexOf('status');
  const fieldsBeforeStatus = fields.filter(({ field }) => EMPLOYEE_FIELDS.indexOf(field) < statusSlot);
  const fieldsAfterStatus = fields.filter(({ field }) => EMPLOYEE_FIELDS.indexOf(field) > statusSlot);
  const updatedAt = fieldsAfterStatus.find(({ field }) => field === 'updatedAt');
  const fieldsBeforeCustom = fieldsAfterStatus.filter((entry) => entry !== updatedAt);
  const custom = Object.entries(config.customFields).map(([name, column]) => ({ name, at: cellOf(column) }));
  const read = (cells: readonly string[], at: number): string | undefined => (at < 0 ? undefined : cells[at]?.trim());

  return (cells: readonly string[], line: number): MappedRow => {
    const mapped = mapRow(cells, line);
    if (mapped.ok) return mapped;
    return {
      ok: false,
      rejections: mapped.rejections.map((rejection) => ({ ...rejection, field: headerOf(rejection.field) })),
    };
  };

  function mapRow(cells: readonly string[], line: number): MappedRow {
    const rowLabel = `line ${line}`;
    // Only trimmed, non-blank text goes in: the candidate is compact as it is built.
    const candidate: Record<string, unknown> = {};
    const take = (entries: readonly { field: string; at: number }[]) => {
      for (const { field, at } of entries) {
        const value = read(cells, at);
        if (value) candidate[field] = value;
      }
    };
    take(fieldsBeforeStatus);

    const rawStatus = read(cells, statusAt);
    if (rawStatus) {
      const status = statusWords.get(rawStatus.toLowerCase());
      // An unknown status is rejected rather than guessed: guessing "inactive" would deactivate someone.
      if (status === undefined) {
        return { ok: false, rejections: [{ row: rowLabel, field: 'status', reason: 'is not a known status word' }] };
      }
      candidate['status'] = status;
      candidate['rawStatus'] = rawStatus;
    }
    take(fieldsBeforeCustom);

    if (custom.length > 0) {
      const customFields: Record<string, string> = {};
      for (const { name, at } of custom) {
        const value = read(cells, at);
        if (value) customFields[name] = value;
      }
      if (Object.keys(customFields).length > 0) candidate['customFields'] = customFields;
    }
    if (updatedAt) take([updatedAt]);
    candidate['sourceLine'] = line;

    return validateCompactEmployee(candidate, rowLabel);
  }
}
