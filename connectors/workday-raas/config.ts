import { z } from 'zod';
import { EMPLOYMENT_STATUSES } from '../../core/employee';
import { SecretRefSchema } from '../../io/secrets';

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
const PATH_SEGMENT = /^[^/?#\s]+$/;
const onePathSegment = z.string().regex(PATH_SEGMENT, { error: 'must be one URL path segment (no /, ?, # or spaces)' });

const column = (alias: string) => z.string().min(1).default(alias);
const optionalColumn = z.string().min(1).optional();

/**
 * Canonical field -> the report column's alias (its XML alias in the report definition). Aliases
 * are chosen by whoever built the report, so every one can be renamed; the defaults are the aliases
 * of specs/sources.md's example report. A column missing from an entry (the user may not see it)
 * leaves the field empty.
 */
export const WorkdayRaasColumnsSchema = z
  .object({
    /** The Workday Employee ID (kept on rehire), not a reusable number. */
    sourceId: column('Employee_ID'),
    employeeNumber: optionalColumn,
    firstName: column('Legal_First_Name'),
    lastName: column('Legal_Last_Name'),
    preferredName: optionalColumn,
    displayName: optionalColumn,
    workEmail: column('Work_Email'),
    personalEmail: optionalColumn,
    /** "1"/"0", "true"/"false" or status words; see `statusMap`. */
    status: column('Active_Status'),
    /** Workday keeps people on leave active; a yes/no "on leave" column turns active into leave. */
    onLeave: optionalColumn,
    hireDate: column('Hire_Date'),
    terminationDate: column('Termination_Date'),
    jobTitle: column('Job_Title'),
    employmentType: column('Worker_Type'),
    /** A supervisory organization's descriptor often ends with its manager's name: "People (Ada Lane)". */
    department: column('Supervisory_Organization'),
    division: column('Company'),
    location: column('Location'),
    costCenter: optionalColumn,
    managerSourceId: column('Manager_Employee_ID'),
    managerEmail: optionalColumn,
    updatedAt: optionalColumn,
  })
  .strict();

/**
 * A Workday custom report exposed as a web service (RaaS), read with an Integration System User.
 * The report URL is `https://{host}/ccx/service/customreport2/{tenant}/{reportOwner}/{reportName}`,
 * as Workday shows it under the report's Actions > Web Service > View URLs.
 */
export const WorkdayRaasConfigSchema = z
  .object({
    type: z.literal('workday-raas'),
    /** The tenant's web-service host, e.g. `wd2-impl-services1.workday.com`. */
    host: z
      .string()
      .regex(HOST_NAME, { error: 'must be a host name such as wd2-impl-services1.workday.com (no https://, no path)' })
      .optional(),
    /** Replaces `https://{host}` (tests, proxies); the report path is appended to it. */
    baseUrl: z.url().optional(),
    tenant: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'must be a Workday tenant name (letters, digits, _ and -)' }),
    /** The user name that owns the report (the second-to-last URL segment). */
    reportOwner: onePathSegment,
    /** The report's web-service name (spaces become underscores), the last URL segment. */
    reportName: onePathSegment,
    /** Report prompts sent as query parameters, e.g. `Worker_Type!WID: <wid>` or `Effective_as_of_Date: 2026-01-01`. */
    prompts: z
      .record(z.string().min(1), z.string())
      .refine((prompts) => !Object.keys(prompts).some((name) => name.toLowerCase() === 'format'), {
        error: 'must not set format: the connector always asks for format=json',
      })
      .default({}),
    /** The Integration System User's name, exactly as it signs in (not secret). */
    username: z.string().min(1),
    password: SecretRefSchema,
    columns: WorkdayRaasColumnsSchema.prefault({}),
    /** Custom field name -> report column alias. */
    customFields: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Extra status words -> canonical status (matched case-insensitively); they override the built-in words. */
    statusMap: z.record(z.string().min(1), z.enum(EMPLOYMENT_STATUSES)).default({}),
    /** RaaS returns the whole report at once; the connector stages it in pages of this size. */
    pageSize: z.int().min(1).max(5_000).default(500),
    /** A large report can run for minutes (third-party guidance: up to 30 minutes per run). */
    timeoutSeconds: z.int().min(10).max(1_800).default(300),
  })
  .strict()
  .refine((config) => (config.host === undefined) !== (config.baseUrl === undefined), {
    error: 'set exactly one of host or baseUrl',
    path: ['host'],
  });

export type WorkdayRaasConfig = z.infer<typeof WorkdayRaasConfigSchema>;
export type WorkdayRaasColumns = z.infer<typeof WorkdayRaasColumnsSchema>;
