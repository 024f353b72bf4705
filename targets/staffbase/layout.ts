import type { Employee } from '../../core/employee';
import { readField } from '../../core/field-path';
import type { ArtifactLayout, CsvRow } from '../sdk/layout';
import type { StaffbaseTargetConfig } from './config';

/** The artifact's name in rosterflow; the upload gets a per-run name (see `staffbaseImportFileName`). */
export const STAFFBASE_ARTIFACT_NAME = 'staffbase-users.csv';

/** The account status values Staffbase documents for the status column (capitalised as documented). */
export const STAFFBASE_STATUS = { activated: 'Activated', deactivated: 'Deactivated' } as const;

/** The identifier and the address are keys Staffbase matches users by, so they must arrive byte for byte. */
const VERBATIM_ATTRIBUTES = new Set<string>(['externalId', 'eMail']);

/** The exact header row: the configured columns in order, then (delta mode) the status column. */
export function staffbaseHeaders(config: StaffbaseTargetConfig): string[] {
  const headers = config.columns.map((column) => column.header);
  return config.mode === 'delta' ? [...headers, config.statusHeader] : headers;
}

/**
 * The one file a Staffbase import receives.
 *
 * - delta: every employee is listed; active, leave and pending employees with `Activated`, leavers
 *   (`inactive`) with `Deactivated`, which deactivates a registered user and deletes a pending one.
 * - full: leavers are left out and there is no status column: Staffbase itself deactivates active
 *   users and deletes pending users missing from the file.
 */
export function createStaffbaseLayouts(config: StaffbaseTargetConfig): readonly ArtifactLayout[] {
  const headerOf = (attribute: string) => config.columns.find((column) => column.attribute === attribute)?.header;
  const externalIdHeader = headerOf('externalId') ?? 'externalId';
  const emailHeader = headerOf('eMail');

  const cells = (employee: Employee) => config.columns.map((column) => readField(employee, column.field) ?? '');

  const layout: ArtifactLayout = {
    fileName: STAFFBASE_ARTIFACT_NAME,
    headers: staffbaseHeaders(config),
    rowsFor(employee: Employee): readonly CsvRow[] {
      const leaver = employee.status === 'inactive';
      if (config.mode === 'full') return leaver ? [] : [cells(employee)];
      return [[...cells(employee), leaver ? STAFFBASE_STATUS.deactivated : STAFFBASE_STATUS.activated]];
    },
    checks: {
      required: [externalIdHeader],
      unique: emailHeader === undefined ? [externalIdHeader] : [externalIdHeader, emailHeader],
      emails: emailHeader === undefined ? [] : [emailHeader],
    },
    // The upload form and the import config declare this separator; Staffbase refuses a file that differs.
    delimiter: config.separator,
    escapeFormulas: config.escapeFormulas,
    verbatim: config.columns
      .filter((column) => VERBATIM_ATTRIBUTES.has(column.attribute))
      .map((column) => column.header),
  };
  return [layout];
}
