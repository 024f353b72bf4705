import type { ScaffoldNames } from '../names';

/** connectors/<name>/mappers/to-employee.ts: raw record -> canonical employee, rejections by row and field. */
export function mapperTemplate(n: ScaffoldNames): string {
  return `import type { EmploymentStatus } from '../../../core/employee';
import { customFieldsOf, isoDate, mapStatus, readPath, statusTable, text, validateEmployee } from '../../sdk/mapping';
import type { MappedRow } from '../../sdk/mapping';
import type { ${n.pascal}Config } from '../config';
import { ${n.pascal}EmployeeSchema } from '../types';

/**
 * The vendor's status words (lower-case) -> canonical status. A word not listed here or in the
 * sync's \`statusMap\` is rejected, never guessed: guessing "inactive" would deactivate someone.
 * TODO: every status word the vendor documents.
 */
const ${n.constant}_STATUS: Record<string, EmploymentStatus> = {
  active: 'active',
  onboarding: 'pending',
  'on leave': 'leave',
  terminated: 'inactive',
};

/** Builds the mapper once per listing: the status table merges the sync's own words. */
export function create${n.pascal}Mapper(config: ${n.pascal}Config) {
  const statuses = statusTable(${n.constant}_STATUS, config.statusMap);

  /** \`position\` is the record's place in the whole listing, for rows without a readable id. */
  return (item: unknown, position: number): MappedRow => {
    const parsed = ${n.pascal}EmployeeSchema.safeParse(item);
    if (!parsed.success) {
      return {
        ok: false,
        rejections: [{ row: \`employee #\${position + 1}\`, field: 'record', reason: 'is not an employee object' }],
      };
    }
    const employee = parsed.data;
    const rawStatus = text(employee.status);
    // TODO: the vendor's hazards (placeholder dates, ids as numbers, restricted fields) go here.
    return validateEmployee(
      {
        // The vendor's immutable id, never the reusable employee number.
        sourceId: employee.id,
        employeeNumber: employee.employeeNumber,
        firstName: employee.firstName,
        lastName: employee.lastName,
        preferredName: employee.preferredName,
        workEmail: employee.workEmail,
        status: mapStatus(rawStatus, statuses),
        rawStatus,
        hireDate: isoDate(employee.hireDate),
        terminationDate: isoDate(employee.terminationDate),
        jobTitle: employee.jobTitle,
        department: employee.department,
        location: employee.location,
        managerSourceId: employee.managerId,
        customFields: customFieldsOf(
          Object.fromEntries(
            Object.entries(config.customFields).map(([name, path]) => [name, readPath(employee, path)]),
          ),
        ),
      },
      \`employee \${employee.id}\`,
    );
  };
}

`;
}
