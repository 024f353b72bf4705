import { z } from 'zod';
import { EMPLOYMENT_STATUSES } from '../../core/employee';
import { SecretRefSchema } from '../../io/secrets';

/**
 * How the connector decides a user's status, in the order it tries them; each name is also the
 * record's `rawStatus`. Graph has no status word: it is derived from these properties.
 */
export const MSGRAPH_STATUS_RULES = [
  'employeeLeaveDateTime:past',
  'employeeHireDate:future',
  'accountEnabled:false',
  'accountEnabled:true',
] as const;
export type MsgraphStatusRule = (typeof MSGRAPH_STATUS_RULES)[number];

/** A Graph property, or a path into one (`onPremisesExtensionAttributes.extensionAttribute1`). */
const PropertyPathSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/, { error: 'must be a Graph property path' });

/**
 * Microsoft Entra ID users through Microsoft Graph, as an app registration with the application
 * permission User.Read.All (plus User-LifeCycleInfo.Read.All for `employeeLeaveDateTime`):
 * https://learn.microsoft.com/en-us/graph/api/user-list
 */
export const MsgraphConfigSchema = z
  .object({
    type: z.literal('msgraph'),
    /** The directory (tenant) id or one of its verified domains; it is part of the token URL. */
    tenantId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, { error: 'must be a tenant id or domain name' }),
    /** The app registration's application (client) id (not secret). */
    clientId: z.string().min(1),
    clientSecret: SecretRefSchema,
    /** Where Graph is; tests point it at a fake. The token is always asked for Graph's global scope. */
    graphBaseUrl: z.url().default('https://graph.microsoft.com'),
    /** Where Entra ID issues tokens; tests point it at a fake. */
    authorityHost: z.url().default('https://login.microsoftonline.com'),
    /**
     * `users` lists /users page by page; `delta` reads one full round of /users/delta, which also
     * reports users deleted from the directory (as inactive) instead of leaving them out.
     */
    mode: z.enum(['users', 'delta']).default('users'),
    /** `$top` of /users (Graph allows 1-999); sent as `odata.maxpagesize` in delta mode. */
    pageSize: z.int().min(1).max(999).default(999),
    /** Use `userPrincipalName` as the work email of users without `mail` (never for guests' #EXT# names). */
    userPrincipalNameAsEmail: z.boolean().default(false),
    /** Custom field name -> Graph property path, e.g. `team: onPremisesExtensionAttributes.extensionAttribute1`. */
    customFields: z.record(z.string().min(1), PropertyPathSchema).default({}),
    /** Overrides the status a rule gives, e.g. `accountEnabled:false: leave` where disabled means on leave. */
    statusMap: z.partialRecord(z.enum(MSGRAPH_STATUS_RULES), z.enum(EMPLOYMENT_STATUSES)).default({}),
  })
  .strict();

export type MsgraphConfig = z.infer<typeof MsgraphConfigSchema>;
