import type { EmploymentStatus } from '../../../core/employee';
import { customFieldsOf, isoDate, statusTable, validateEmployee } from '../../sdk/mapping';
import type { MappedRow } from '../../sdk/mapping';
import type { RowRejection } from '../../sdk/source';
import type { WorkdayRaasColumns, WorkdayRaasConfig } from '../config';
import { WorkdayRaasReportEntrySchema } from '../types';
import type { WorkdayRaasReportEntry } from '../types';
import { cellJoined, cellText } from './cells';
import { WORKDAY_STATUS_WORDS, deriveStatus } from './status';

/** A report entry and its place in Workday's output (1-based in messages), which sorting does not change. */
export interface PositionedEntry {
  entry: unknown;
  position: number;
}

/** Columns holding ids: of a `{Descriptor, ID}` reference they want the ID, not the display name. */
const ID_COLUMNS: ReadonlySet<keyof WorkdayRaasColumns> = new Set(['sourceId', 'employeeNumber', 'managerSourceId']);

export interface WorkdayRaasMapperOptions {
  /** The run's date, `YYYY-MM-DD`, for future hires and past terminations. */
  today: string;
  /** Source ids on more than one entry: every one of those entries is rejected, none is picked. */
  duplicatedIds: ReadonlySet<string>;
}

/** Reads a row's cells through the configured column aliases. */
export function readColumn(
  row: WorkdayRaasReportEntry,
  columns: WorkdayRaasColumns,
  role: keyof WorkdayRaasColumns,
): string | undefined {
  const alias = columns[role];
  if (alias === undefined || !Object.hasOwn(row, alias)) return undefined;
  return cellText(row[alias], ID_COLUMNS.has(role) ? 'id' : 'descriptor');
}

/** Builds the mapper once per listing: the status table merges the sync's own words. */
export function createWorkdayRaasMapper(config: WorkdayRaasConfig, options: WorkdayRaasMapperOptions) {
  const words: Record<string, EmploymentStatus> = statusTable(WORKDAY_STATUS_WORDS, config.statusMap);

  return ({ entry, position }: PositionedEntry): MappedRow => {
    const parsed = WorkdayRaasReportEntrySchema.safeParse(entry);
    if (!parsed.success) {
      return {
        ok: false,
        rejections: [{ row: `report entry ${position + 1}`, field: 'record', reason: 'is not a report entry object' }],
      };
    }
    const row = parsed.data;
    const read = (role: keyof WorkdayRaasColumns) => readColumn(row, config.columns, role);
    const sourceId = read('sourceId');
    const label = sourceId === undefined ? `report entry ${position + 1}` : `employee ${sourceId}`;
    if (sourceId !== undefined && options.duplicatedIds.has(sourceId)) {
      return {
        ok: false,
        rejections: [{ row: label, field: 'sourceId', reason: 'appears on more than one report entry' }],
      };
    }

    const rawStatus = read('status');
    const hireDate = workdayDate(read('hireDate'));
    const terminationDate = workdayDate(read('terminationDate'));
    const status = deriveStatus(
      { raw: rawStatus, onLeave: read('onLeave'), hireDate, terminationDate, today: options.today },
      words,
    );
    const mapped = validateEmployee(
      {
        sourceId,
        employeeNumber: read('employeeNumber'),
        firstName: read('firstName'),
        lastName: read('lastName'),
        preferredName: read('preferredName'),
        displayName: read('displayName'),
        workEmail: read('workEmail'),
        personalEmail: read('personalEmail'),
        status: status.ok ? status.status : undefined,
        rawStatus,
        hireDate,
        terminationDate,
        jobTitle: read('jobTitle'),
        employmentType: read('employmentType'),
        department: read('department'),
        division: read('division'),
        location: read('location'),
        costCenter: read('costCenter'),
        managerSourceId: read('managerSourceId'),
        managerEmail: read('managerEmail'),
        updatedAt: read('updatedAt'),
        customFields: customFieldsOf(
          Object.fromEntries(
            Object.entries(config.customFields).map(([name, alias]) => [
              name,
              Object.hasOwn(row, alias) ? cellJoined(row[alias]) : undefined,
            ]),
          ),
        ),
      },
      label,
    );
    if (status.ok) return mapped;
    // The status problem replaces the schema's generic "is required" for that field.
    const others: RowRejection[] = mapped.ok
      ? []
      : mapped.rejections.filter((rejection) => rejection.field !== 'status');
    return { ok: false, rejections: [{ row: label, field: status.field, reason: status.reason }, ...others] };
  };
}

/**
 * Workday writes `xs:date` values, which may carry a zone: `2024-03-04-08:00` or `2024-03-04Z`. The
 * calendar date is kept as written; date-times and placeholders go through the shared rules.
 */
export function workdayDate(value: string | undefined): string | undefined {
  const zoned = value === undefined ? null : /^(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})$/.exec(value);
  return zoned ? zoned[1] : isoDate(value);
}
