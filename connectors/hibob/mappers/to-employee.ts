import type { EmploymentStatus } from '../../../core/employee';
import { customFieldsOf, isoDate, mapStatus, readPath, statusTable, text, validateEmployee } from '../../sdk/mapping';
import type { MappedRow } from '../../sdk/mapping';
import type { HibobConfig } from '../config';
import { HibobEmployeeSchema } from '../types';

/** Bob's lifecycle words (`internal.lifecycleStatus`), then its coarse `internal.status`. */
const HIBOB_STATUS: Record<string, EmploymentStatus> = {
  employed: 'active',
  active: 'active',
  hired: 'pending',
  onboarding: 'pending',
  leave: 'leave',
  'on leave': 'leave',
  'garden leave': 'leave',
  terminated: 'inactive',
  inactive: 'inactive',
};

/** Builds the mapper once per listing: the status table merges the sync's own words. */
export function createHibobMapper(config: HibobConfig) {
  const statuses = statusTable(HIBOB_STATUS, config.statusMap);

  return (item: unknown, index: number): MappedRow => {
    const parsed = HibobEmployeeSchema.safeParse(item);
    if (!parsed.success) {
      return {
        ok: false,
        rejections: [{ row: `employee #${index + 1}`, field: 'record', reason: 'is not a Bob employee object' }],
      };
    }
    const bob = parsed.data;
    const rawStatus = text(bob.internal?.lifecycleStatus) ?? text(bob.internal?.status);
    return validateEmployee(
      {
        sourceId: bob.id,
        employeeNumber: text(bob.work?.employeeIdInCompany),
        firstName: bob.firstName,
        lastName: bob.surname,
        displayName: bob.displayName,
        workEmail: bob.email,
        status: mapStatus(rawStatus, statuses),
        rawStatus,
        hireDate: isoDate(bob.work?.startDate),
        terminationDate: isoDate(bob.internal?.terminationDate),
        jobTitle: bob.work?.title,
        employmentType: bob.payroll?.employment?.type,
        department: bob.work?.department,
        location: bob.work?.site,
        managerSourceId: text(bob.work?.reportsTo?.id),
        managerEmail: bob.work?.reportsTo?.email,
        customFields: customFieldsOf(
          Object.fromEntries(Object.entries(config.customFields).map(([name, path]) => [name, readBobPath(bob, path)])),
        ),
      },
      `employee ${bob.id}`,
    );
  };
}

/** Reads a Bob field path (`work.custom.team`, `/work/custom/team`, `root.email`); `root` is the top level. */
function readBobPath(record: unknown, path: string): unknown {
  const dotted = path
    .replace(/^\/?root[./]/, '')
    .split(/[./]/)
    .filter(Boolean)
    .join('.');
  return readPath(record, dotted);
}
