import { z } from 'zod';
import { didYouMean } from './closest-name';
import { EMPLOYEE_FIELDS } from './employee';
import type { Employee, EmployeeField } from './employee';

/** A mapping reference: a canonical field, or `customFields.<name>`. */
export type FieldPath = EmployeeField | `customFields.${string}`;

const CUSTOM_PREFIX = 'customFields.';
const canonical = new Set<string>(EMPLOYEE_FIELDS);

export function isFieldPath(path: string): path is FieldPath {
  return canonical.has(path) || (path.startsWith(CUSTOM_PREFIX) && path.length > CUSTOM_PREFIX.length);
}

/** A config setting that names a field path; a typo is answered with the closest valid one. */
export const FieldPathSchema = z.string().refine(isFieldPath, {
  error: (issue) => `must be an employee field or customFields.<name>${suggestFieldPath(String(issue.input))}`,
});

function suggestFieldPath(input: string): string {
  const dot = input.indexOf('.');
  // `customField.team` or `CustomFields.team` most likely meant the custom field of that name.
  const custom = dot > 0 && dot < input.length - 1 ? [`${CUSTOM_PREFIX}${input.slice(dot + 1)}`] : [];
  return didYouMean(input, [...EMPLOYEE_FIELDS, ...custom]);
}

export function readField(employee: Employee, path: FieldPath): string | undefined {
  if (path.startsWith(CUSTOM_PREFIX)) return employee.customFields?.[path.slice(CUSTOM_PREFIX.length)];
  return employee[path as EmployeeField];
}
