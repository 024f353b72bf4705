import { z } from 'zod';
import { EMPLOYMENT_STATUSES, EmployeeSchema } from './employee';
import type { Employee } from './employee';

/**
 * How each canonical field is checked on the quick path. Patterns are zod's own (the ones
 * EmployeeSchema's `z.email()` and `z.iso.date()` apply). A field without an entry here (an
 * `updatedAt` date-time, a field added later) sends the record to the schema.
 */
const QUICK: Partial<Record<keyof Employee, (value: unknown) => boolean>> = {};
const text = (value: unknown) => typeof value === 'string' && value !== '' && value === value.trim();
const matching = (pattern: RegExp) => (value: unknown) => text(value) && pattern.test(value as string);
const statuses = new Set<unknown>(EMPLOYMENT_STATUSES);
for (const field of [
  'sourceId',
  'employeeNumber',
  'firstName',
  'lastName',
  'preferredName',
  'displayName',
  'rawStatus',
  'jobTitle',
  'employmentType',
  'department',
  'division',
  'location',
  'costCenter',
  'managerSourceId',
] as const)
  QUICK[field] = text;
for (const field of ['workEmail', 'personalEmail', 'managerEmail'] as const) QUICK[field] = matching(z.regexes.email);
for (const field of ['hireDate', 'terminationDate'] as const) QUICK[field] = matching(z.regexes.date);
QUICK.status = (value) => statuses.has(value);
QUICK.sourceLine = (value) => Number.isSafeInteger(value) && (value as number) > 0;
QUICK.customFields = (value) =>
  typeof value === 'object' &&
  value !== null &&
  Object.getPrototypeOf(value) === Object.prototype &&
  Object.values(value).every((cell) => typeof cell === 'string');

/** EmployeeSchema's fields, in its order: the order zod writes a parsed record's keys in. */
const FIELDS = Object.keys(EmployeeSchema.shape) as (keyof Employee)[];
const POSITION: Readonly<Record<string, number>> = Object.assign(
  Object.create(null) as Record<string, number>,
  Object.fromEntries(FIELDS.map((field, at) => [field, at])),
);
const REQUIRED: readonly (keyof Employee)[] = ['sourceId', 'status'];

/**
 * The record EmployeeSchema would return for a plain, valid candidate (trimmed text, known fields
 * only), without building zod's result objects: a million rows pass this at a fraction of the cost.
 * That is the candidate itself when its keys are in the schema's order (mappers build them so),
 * else a copy in that order. Undefined when the candidate is anything else, so the caller asks the
 * schema, which then decides (and words the rejections). It only ever accepts what the schema
 * accepts, with the same output; test/unit/employee-quick-check.test.ts holds the two side by side.
 */
export function quickEmployee(candidate: Record<string, unknown>): Employee | undefined {
  let last = -1;
  let ordered = true;
  for (const field in candidate) {
    const at = POSITION[field];
    // An unknown key (the schema is strict): the schema words the rejection.
    if (at === undefined) return undefined;
    const value = candidate[field];
    if (value !== undefined && !QUICK[field as keyof Employee]?.(value)) return undefined;
    if (at < last) ordered = false;
    last = at;
  }
  for (const field of REQUIRED) if (candidate[field] === undefined) return undefined;
  if (ordered) return candidate as Employee;
  const record: Record<string, unknown> = {};
  for (const field of FIELDS) if (candidate[field] !== undefined) record[field] = candidate[field];
  return record as Employee;
}
