import { z } from 'zod';

const id = z.union([z.string().min(1), z.number()]).transform(String);
/** BambooHR sends strings; a number or boolean here and there is read as text rather than refused. */
const value = z.union([z.string(), z.number(), z.boolean()]).nullish();

/**
 * One item of the cursor-paged employee list. Fields the caller may not read are `null` and named
 * in `_restrictedFields`. https://documentation.bamboohr.com/reference/list-employees
 */
export const BamboohrListEmployeeSchema = z
  .object({
    employeeId: id,
    firstName: value,
    lastName: value,
    preferredName: value,
    jobTitleName: value,
    status: value,
    workEmail: value,
    _restrictedFields: z.array(z.string()).nullish(),
  })
  .passthrough();
export type BamboohrListEmployee = z.infer<typeof BamboohrListEmployeeSchema>;

export const BamboohrEmployeeListResponseSchema = z
  .object({
    /** Items are checked one by one, so one odd record is a rejected row, not a failed page. */
    data: z.array(z.unknown()),
    meta: z
      .object({
        total: z.number().nullish(),
        page: z
          .object({ limit: z.number().nullish(), nextCursor: z.string().nullish(), prevCursor: z.string().nullish() })
          .passthrough(),
      })
      .passthrough(),
  })
  .passthrough();

/**
 * One row of a custom report: `id` is BambooHR's internal employee id (not `employeeNumber`); every
 * value is a string, `""` when empty, and `"0000-00-00"` for empty dates on older accounts. Fields
 * the caller may not read are left out. https://documentation.bamboohr.com/reference/request-custom-report
 */
export const BamboohrReportEmployeeSchema = z
  .object({
    id,
    employeeNumber: value,
    firstName: value,
    lastName: value,
    preferredName: value,
    displayName: value,
    workEmail: value,
    homeEmail: value,
    status: value,
    employmentHistoryStatus: value,
    hireDate: value,
    terminationDate: value,
    jobTitle: value,
    department: value,
    division: value,
    location: value,
    /** "Last, First": kept out of the record; the manager is matched by `supervisorEId`. */
    supervisor: value,
    supervisorEId: value,
    supervisorEmail: value,
    lastChanged: value,
  })
  .passthrough();
export type BamboohrReportEmployee = z.infer<typeof BamboohrReportEmployeeSchema>;

export const BamboohrCustomReportSchema = z
  .object({
    title: z.string().nullish(),
    fields: z.array(z.object({ id: z.union([z.string(), z.number()]) }).passthrough()).nullish(),
    employees: z.array(z.unknown()),
  })
  .passthrough();

/**
 * One directory entry; keys follow the company's directory configuration. No status, dates,
 * employee number or manager id; `supervisor` is a display name ("First Last").
 */
export const BamboohrDirectoryEmployeeSchema = z
  .object({
    id,
    displayName: value,
    firstName: value,
    lastName: value,
    preferredName: value,
    jobTitle: value,
    workEmail: value,
    department: value,
    division: value,
    location: value,
  })
  .passthrough();
export type BamboohrDirectoryEmployee = z.infer<typeof BamboohrDirectoryEmployeeSchema>;

export const BamboohrDirectorySchema = z
  .object({
    fields: z.array(z.unknown()).nullish(),
    employees: z.array(z.unknown()),
  })
  .passthrough();

/** The JSON error body of the newer endpoints (`BadPage`, ...); legacy ones use a header instead. */
export const BamboohrErrorBodySchema = z.object({ code: z.string().nullish(), message: z.string().nullish() });
