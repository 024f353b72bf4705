import { customFieldsOf, isoDate, text, validateEmployee } from '../../sdk/mapping';
import type { MappedRow } from '../../sdk/mapping';
import type { BamboohrConfig } from '../config';
import { BamboohrDirectoryEmployeeSchema, BamboohrReportEmployeeSchema } from '../types';
import type { BamboohrDirectoryEmployee, BamboohrListEmployee } from '../types';
import { createStatusResolver } from './status';

export type BamboohrMappers = ReturnType<typeof createBamboohrMappers>;

/** Builds the mappers once per listing; `today` (YYYY-MM-DD) is when a hire date counts as future. */
export function createBamboohrMappers(config: BamboohrConfig, today: string) {
  const resolveStatus = createStatusResolver(config.statusMap, today);
  const customFields = (row: Record<string, unknown>) =>
    customFieldsOf(Object.fromEntries(Object.entries(config.customFields).map(([name, field]) => [name, row[field]])));

  return {
    /** A custom-report row: the full roster record, keyed by BambooHR's internal `id`. */
    fromReport(item: unknown, listedId: string): MappedRow {
      const parsed = BamboohrReportEmployeeSchema.safeParse(item);
      if (!parsed.success) return notAn('custom report row', listedId);
      const row = parsed.data;
      const hireDate = isoDate(row.hireDate);
      const terminationDate = isoDate(row.terminationDate);
      const { status, rawStatus, employmentType } = resolveStatus({
        status: row.status,
        employmentStatus: row.employmentHistoryStatus,
        hireDate,
        terminationDate,
      });
      return validateEmployee(
        {
          sourceId: row.id,
          employeeNumber: text(row.employeeNumber),
          firstName: text(row.firstName),
          lastName: text(row.lastName),
          preferredName: text(row.preferredName),
          displayName: text(row.displayName),
          workEmail: text(row.workEmail),
          personalEmail: text(row.homeEmail),
          status,
          rawStatus,
          hireDate,
          terminationDate,
          jobTitle: text(row.jobTitle),
          employmentType,
          department: text(row.department),
          division: text(row.division),
          location: text(row.location),
          managerSourceId: text(row.supervisorEId),
          managerEmail: text(row.supervisorEmail),
          customFields: customFields(row),
          updatedAt: text(row.lastChanged),
        },
        `employee ${row.id}`,
      );
    },

    /**
     * A list item enriched by its directory entry, when the directory shares that person. Status
     * comes from the list; the directory has no dates, so an Inactive future hire stays inactive here.
     */
    fromDirectory(listed: BamboohrListEmployee, entry: unknown): MappedRow {
      let directory: Partial<BamboohrDirectoryEmployee> = {};
      if (entry !== undefined) {
        const parsed = BamboohrDirectoryEmployeeSchema.safeParse(entry);
        if (!parsed.success) return notAn('directory entry', listed.employeeId);
        directory = parsed.data;
      }
      const { status, rawStatus, employmentType } = resolveStatus({ status: listed.status });
      return validateEmployee(
        {
          sourceId: listed.employeeId,
          firstName: text(listed.firstName) ?? text(directory.firstName),
          lastName: text(listed.lastName) ?? text(directory.lastName),
          preferredName: text(listed.preferredName) ?? text(directory.preferredName),
          displayName: text(directory.displayName),
          workEmail: text(listed.workEmail) ?? text(directory.workEmail),
          status,
          rawStatus,
          employmentType,
          jobTitle: text(directory.jobTitle) ?? text(listed.jobTitleName),
          department: text(directory.department),
          division: text(directory.division),
          location: text(directory.location),
          customFields: customFields(directory),
        },
        `employee ${listed.employeeId}`,
      );
    },
  };
}

function notAn(what: string, id: string): MappedRow {
  return { ok: false, rejections: [{ row: `employee ${id}`, field: 'record', reason: `is not a BambooHR ${what}` }] };
}
