import { z } from 'zod';
import { EMPLOYMENT_STATUSES } from '../../core/employee';
import { SecretRefSchema } from '../../io/secrets';

/** BambooHR's cap on `page[limit]` of the employee list: https://documentation.bamboohr.com/reference/list-employees */
export const BAMBOOHR_MAX_PAGE_SIZE = 100;
const MAX_CUSTOM_FIELDS = 350;

/**
 * BambooHR through an API key (HTTP Basic, the key as user): https://documentation.bamboohr.com/docs/api-details
 * The employee list pages the ids; each page's roster fields come from a custom report (the default)
 * or from the employee directory.
 */
export const BamboohrConfigSchema = z
  .object({
    type: z.literal('bamboohr'),
    /** The account's subdomain: `acme` for https://acme.bamboohr.com. */
    companyDomain: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i, { error: 'must be the subdomain of <company>.bamboohr.com' }),
    /**
     * `company`: https://{companyDomain}.bamboohr.com/api/v1 (the official SDK's default);
     * `gateway`: https://api.bamboohr.com/api/gateway.php/{companyDomain}/v1 (the legacy host many integrations use).
     */
    host: z.enum(['company', 'gateway']).default('company'),
    /**
     * Replaces the scheme and host (a proxy, a test fake); the path prefix still follows `host`,
     * e.g. `http://127.0.0.1:8080` -> `http://127.0.0.1:8080/api/v1`.
     */
    baseUrl: z.url().optional(),
    apiKey: SecretRefSchema,
    /**
     * Where each page's roster fields come from: `custom-report` (status, dates, manager id, employee
     * number) or `directory` (names, title, department, location only: no dates, so a future hire
     * cannot be told from a leaver there).
     */
    roster: z.enum(['custom-report', 'directory']).default('custom-report'),
    /** Employees per page of the cursor-paged list (BambooHR: default 50, at most 100). */
    pageSize: z.int().min(1).max(BAMBOOHR_MAX_PAGE_SIZE).default(50),
    /** Custom field name -> BambooHR field id (or alias) read from the report or directory, e.g. `costCenter: '4417'`. */
    customFields: z
      .record(z.string().min(1), z.string().min(1))
      .refine((fields) => Object.keys(fields).length <= MAX_CUSTOM_FIELDS, {
        error: `at most ${MAX_CUSTOM_FIELDS} (a custom report takes 400 fields, the roster's included)`,
      })
      .default({}),
    /**
     * Extra BambooHR words -> canonical status (lower-case keys). They apply to `status` and to the
     * customer-defined employment status (`employmentHistoryStatus`, e.g. `sabbatical: leave`).
     */
    statusMap: z.record(z.string().min(1), z.enum(EMPLOYMENT_STATUSES)).default({}),
  })
  .strict();

export type BamboohrConfig = z.infer<typeof BamboohrConfigSchema>;

/** The API root every relative path (`employees`, `reports/custom`, ...) is appended to. */
export function bamboohrBaseUrl(config: Pick<BamboohrConfig, 'companyDomain' | 'host' | 'baseUrl'>): string {
  const domain = encodeURIComponent(config.companyDomain);
  const origin =
    config.baseUrl?.replace(/\/+$/, '') ??
    (config.host === 'gateway' ? 'https://api.bamboohr.com' : `https://${domain}.bamboohr.com`);
  return config.host === 'gateway' ? `${origin}/api/gateway.php/${domain}/v1` : `${origin}/api/v1`;
}
