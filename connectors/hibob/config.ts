import { z } from 'zod';
import { EMPLOYMENT_STATUSES } from '../../core/employee';
import { SecretRefSchema } from '../../io/secrets';

/** HiBob (Bob) through a service user: https://apidocs.hibob.com/docs/api-service-users */
export const HibobConfigSchema = z
  .object({
    type: z.literal('hibob'),
    baseUrl: z.url().default('https://api.hibob.com/v1'),
    /** The service user's id (not secret). */
    serviceUserId: z.string().min(1),
    serviceUserToken: SecretRefSchema,
    /** Leavers must be read to be deactivated downstream, so inactive people are included by default. */
    showInactive: z.boolean().default(true),
    /** Custom field name -> Bob field path, e.g. `team: work.custom.field_1699`. */
    customFields: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Extra Bob lifecycle/status words -> canonical status (lower-case keys). */
    statusMap: z.record(z.string().min(1), z.enum(EMPLOYMENT_STATUSES)).default({}),
    /** Bob returns everyone in one response; the connector stages it in pages of this size. */
    pageSize: z.int().min(1).max(5_000).default(500),
  })
  .strict();

export type HibobConfig = z.infer<typeof HibobConfigSchema>;
