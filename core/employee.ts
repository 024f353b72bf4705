import { z } from 'zod';

/** Normalised employment status; the HRIS's own word is kept in `rawStatus`. */
export const EMPLOYMENT_STATUSES = ['active', 'pending', 'leave', 'inactive'] as const;
export type EmploymentStatus = (typeof EMPLOYMENT_STATUSES)[number];

const isoDate = z.iso.date({ error: 'must be an ISO date (YYYY-MM-DD)' });
const optionalText = z.string().trim().min(1).optional();

/**
 * The canonical employee every source maps to and every target renders from.
 * `sourceId` is the HRIS's immutable id, never a reusable employee number.
 */
export const EmployeeSchema = z
  .object({
    sourceId: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
      .trim()
      .min(1, { error: 'is required' }),
    employeeNumber: optionalText,
    firstName: optionalText,
    lastName: optionalText,
    preferredName: optionalText,
    displayName: optionalText,
    workEmail: z.email({ error: 'is not a valid email address' }).optional(),
    personalEmail: z.email({ error: 'is not a valid email address' }).optional(),
    status: z.enum(EMPLOYMENT_STATUSES, {
      error: (issue) =>
        issue.input === undefined ? 'is required' : `must be one of ${EMPLOYMENT_STATUSES.join(', ')}`,
    }),
    rawStatus: optionalText,
    hireDate: isoDate.optional(),
    terminationDate: isoDate.optional(),
    jobTitle: optionalText,
    employmentType: optionalText,
    department: optionalText,
    division: optionalText,
    location: optionalText,
    costCenter: optionalText,
    managerSourceId: optionalText,
    managerEmail: z.email({ error: 'is not a valid email address' }).optional(),
    customFields: z.record(z.string(), z.string()).optional(),
    updatedAt: z.iso.datetime({ offset: true }).optional(),
    /**
     * Where the record is in the source, for sources that have lines (a CSV drop): the line its row
     * starts on. Not a field of the person: mappings cannot read it; rejections name the row by it.
     */
    sourceLine: z.number().int().positive().optional(),
  })
  .strict();

export type Employee = z.infer<typeof EmployeeSchema>;

/** Fields a mapping may read from an employee (custom fields are addressed as `customFields.<name>`). */
export const EMPLOYEE_FIELDS = Object.keys(EmployeeSchema.shape).filter(
  (name) => name !== 'customFields' && name !== 'sourceLine',
) as readonly Exclude<keyof Employee, 'customFields' | 'sourceLine'>[];
export type EmployeeField = (typeof EMPLOYEE_FIELDS)[number];

/**
 * How every report names an employee's row: its source line where the source has lines (`line 7`),
 * else the source's own id (`employee 1005`). Ids and line numbers only, never a value.
 */
export function rowLabelOf(employee: Pick<Employee, 'sourceId' | 'sourceLine'>): string {
  return employee.sourceLine === undefined ? `employee ${employee.sourceId}` : `line ${employee.sourceLine}`;
}
