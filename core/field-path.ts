import { EMPLOYEE_FIELDS } from './employee';
import type { Employee, EmployeeField } from './employee';

/** A mapping reference: a canonical field, or `customFields.<name>`. */
export type FieldPath = EmployeeField | `customFields.${string}`;

const CUSTOM_PREFIX = 'customFields.';
const canonical = new Set<string>(EMPLOYEE_FIELDS);

export function isFieldPath(path: string): path is FieldPath {
  return canonical.has(path) || (path.startsWith(CUSTOM_PREFIX) && path.length > CUSTOM_PREFIX.length);
}

export function readField(employee: Employee, path: FieldPath): string | undefined {
  if (path.startsWith(CUSTOM_PREFIX)) return employee.customFields?.[path.slice(CUSTOM_PREFIX.length)];
  return employee[path as EmployeeField];
}
