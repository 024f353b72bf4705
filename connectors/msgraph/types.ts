import { z } from 'zod';

const optionalText = z.string().nullish();

/**
 * The slice of a Graph user rosterflow reads. /users returns unset properties as null; delta
 * responses leave them out: both are absent here.
 * https://learn.microsoft.com/en-us/graph/api/resources/user
 */
export const MsgraphUserSchema = z
  .object({
    id: z.string().min(1),
    employeeId: optionalText,
    givenName: optionalText,
    surname: optionalText,
    displayName: optionalText,
    mail: optionalText,
    userPrincipalName: optionalText,
    accountEnabled: z.boolean().nullish(),
    department: optionalText,
    jobTitle: optionalText,
    officeLocation: optionalText,
    companyName: optionalText,
    employeeType: optionalText,
    employeeHireDate: optionalText,
    employeeLeaveDateTime: optionalText,
    /** Returned only when `$select`ed: https://learn.microsoft.com/en-us/graph/api/resources/employeeorgdata */
    employeeOrgData: z.object({ division: optionalText, costCenter: optionalText }).passthrough().nullish(),
    /** From `$expand=manager($select=id,mail)` on /users. */
    manager: z.object({ id: optionalText, mail: optionalText }).passthrough().nullish(),
    /** From `$select=manager` on /users/delta: the manager's id only; an `@removed` entry takes the manager away. */
    'manager@delta': z
      .array(z.object({ id: optionalText, '@removed': z.unknown().optional() }).passthrough())
      .nullish(),
  })
  .passthrough();

export type MsgraphUser = z.infer<typeof MsgraphUserSchema>;

/** A delta entry for a user that left the collection: `changed` = soft-deleted (restorable), `deleted` = gone. */
export const MsgraphRemovedUserSchema = z
  .object({
    id: z.string().min(1),
    '@removed': z.object({ reason: z.string().nullish() }).passthrough(),
  })
  .passthrough();

/** One page of /users or /users/delta; items are checked one by one so a bad one rejects only itself. */
export const MsgraphUsersPageSchema = z
  .object({
    value: z.array(z.unknown()),
    '@odata.nextLink': z.string().optional(),
    '@odata.deltaLink': z.string().optional(),
  })
  .passthrough();

/** Graph's error body: https://learn.microsoft.com/en-us/graph/errors */
export const MsgraphErrorSchema = z.object({
  error: z.object({ code: z.string().optional(), message: z.string().optional() }).passthrough(),
});
