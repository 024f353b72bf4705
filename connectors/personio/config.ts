import { z } from 'zod';
import { EMPLOYMENT_STATUSES } from '../../core/employee';
import { SecretRefSchema } from '../../io/secrets';

/** Personio caps `limit` on GET /v1/company/employees at 100 (enforced since 2025-01-31). */
export const PERSONIO_MAX_PAGE_SIZE = 100;

/** A Personio attribute: its key (`position`, `dynamic_1146702`) or its label as shown in Personio. */
const AttributeName = z.string().trim().min(1);

/**
 * Personio's v1 personnel-data API with API credentials (client id and secret from Settings > API
 * credentials): https://developer.personio.de/reference/auth and
 * https://developer.personio.de/reference/get_company-employees
 *
 * Only v1 is supported. Personio's v2 Persons API (`GET /v2/persons` plus one
 * `/v2/persons/{id}/employments` call per person, OAuth2 client credentials at `/v2/auth/token`)
 * needs N+1 calls per roster and is not used by this connector.
 */
export const PersonioConfigSchema = z
  .object({
    type: z.literal('personio'),
    /** The v1 API root; every path (`/auth`, `/company/employees`) is appended to it. */
    baseUrl: z.url().default('https://api.personio.de/v1'),
    /** The credential's client id: not secret in itself, so it may be written here or read like a secret. */
    clientId: z.union([z.string().trim().min(1), SecretRefSchema]),
    clientSecret: SecretRefSchema,
    /** Sent as `X-Personio-Partner-ID` when set (Personio asks integration partners to identify themselves). */
    partnerId: z.string().trim().min(1).optional(),
    /** Sent as `X-Personio-App-ID` when set. */
    appId: z.string().trim().min(1).optional(),
    /** Employees per request (`limit`); Personio allows at most 100. */
    pageSize: z.int().min(1).max(PERSONIO_MAX_PAGE_SIZE).default(PERSONIO_MAX_PAGE_SIZE),
    /** The attribute holding the personnel number, if the company keeps one (usually a `dynamic_<n>` attribute). */
    employeeNumberAttribute: AttributeName.optional(),
    /**
     * Custom field name -> Personio attribute, by key (`dynamic_1146702`, `team`) or by label
     * (`Shirt size`). Custom attributes only carry a label, so the label is usually easier to find.
     */
    customFields: z.record(z.string().min(1), AttributeName).default({}),
    /** Extra Personio status words -> canonical status (matched case-insensitively). */
    statusMap: z.record(z.string().min(1), z.enum(EMPLOYMENT_STATUSES)).default({}),
  })
  .strict();

export type PersonioConfig = z.infer<typeof PersonioConfigSchema>;
