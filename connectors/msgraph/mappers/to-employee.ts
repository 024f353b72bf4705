import type { EmploymentStatus } from '../../../core/employee';
import { customFieldsOf, isoDate, readPath, text, validateEmployee } from '../../sdk/mapping';
import type { MappedRow } from '../../sdk/mapping';
import type { MsgraphConfig, MsgraphStatusRule } from '../config';
import { MsgraphRemovedUserSchema, MsgraphUserSchema } from '../types';
import type { MsgraphUser } from '../types';

const RULE_STATUS: Record<MsgraphStatusRule, EmploymentStatus> = {
  'employeeLeaveDateTime:past': 'inactive',
  'employeeHireDate:future': 'pending',
  'accountEnabled:false': 'inactive',
  'accountEnabled:true': 'active',
};

/**
 * Builds the mapper once per listing, with the moment status rules compare dates against.
 * Rejections name the user by Graph id and the field, never a value.
 */
export function createMsgraphMapper(config: MsgraphConfig, now: Date) {
  const statuses: Record<MsgraphStatusRule, EmploymentStatus> = { ...RULE_STATUS, ...config.statusMap };

  return (item: unknown): MappedRow => {
    if (isRemovedEntry(item)) return mapRemoved(item);
    const parsed = MsgraphUserSchema.safeParse(item);
    if (!parsed.success) {
      const id = (item as { id?: unknown } | null)?.id;
      return {
        ok: false,
        rejections: parsed.error.issues.map((issue) => ({
          row: typeof id === 'string' && id ? `user ${id}` : 'user without an id',
          field: issue.path.join('.') || 'record',
          reason: issue.message,
        })),
      };
    }
    const user = parsed.data;
    const rule = statusRule(user, now);
    return validateEmployee(
      {
        // The directory object id is immutable; employeeId is an HR number that can be reused.
        sourceId: user.id,
        employeeNumber: user.employeeId,
        firstName: user.givenName,
        lastName: user.surname,
        displayName: user.displayName,
        workEmail: text(user.mail) ?? emailFromUserPrincipalName(user, config),
        status: rule && statuses[rule],
        rawStatus: rule,
        hireDate: isoDate(user.employeeHireDate),
        terminationDate: isoDate(user.employeeLeaveDateTime),
        jobTitle: user.jobTitle,
        employmentType: user.employeeType,
        department: user.department,
        division: user.employeeOrgData?.division,
        location: user.officeLocation,
        costCenter: user.employeeOrgData?.costCenter,
        managerSourceId: managerIdOf(user),
        managerEmail: user.manager?.mail,
        // companyName has no canonical field, so it travels as a custom field.
        customFields: customFieldsOf({
          companyName: user.companyName,
          ...Object.fromEntries(
            Object.entries(config.customFields).map(([name, path]) => [name, readPath(user, path)]),
          ),
        }),
      },
      `user ${user.id}`,
    );
  };
}

/**
 * The first rule that applies decides. A leave date that has passed ends employment whatever the
 * account says; accounts are often created disabled before the hire date, so a future hire date
 * outranks a disabled account. A user whose `accountEnabled` cannot be read gets no status and is
 * rejected rather than guessed.
 */
function statusRule(user: MsgraphUser, now: Date): MsgraphStatusRule | undefined {
  if (timeOf(user.employeeLeaveDateTime) <= now.getTime()) return 'employeeLeaveDateTime:past';
  if (timeOf(user.employeeHireDate) > now.getTime()) return 'employeeHireDate:future';
  if (user.accountEnabled === false) return 'accountEnabled:false';
  if (user.accountEnabled === true) return 'accountEnabled:true';
  return undefined;
}

/** Milliseconds of a Graph date-time; NaN (which compares false both ways) when absent or unreadable. */
function timeOf(value: string | null | undefined): number {
  return value ? Date.parse(value) : NaN;
}

function isRemovedEntry(item: unknown): boolean {
  return typeof item === 'object' && item !== null && '@removed' in item;
}

/** A user deleted from the directory during the delta round: never dropped, always inactive. */
function mapRemoved(item: unknown): MappedRow {
  const parsed = MsgraphRemovedUserSchema.safeParse(item);
  if (!parsed.success) {
    return { ok: false, rejections: [{ row: 'removed user', field: 'id', reason: 'is required' }] };
  }
  const reason = text(parsed.data['@removed'].reason) ?? 'unknown';
  return validateEmployee(
    { sourceId: parsed.data.id, status: 'inactive', rawStatus: `removed:${reason}` },
    `user ${parsed.data.id}`,
  );
}

/** Guests' names (`ada_example.com#EXT#@contoso.onmicrosoft.com`) are not addresses anyone reads. */
function emailFromUserPrincipalName(user: MsgraphUser, config: MsgraphConfig): string | undefined {
  const upn = text(user.userPrincipalName);
  return config.userPrincipalNameAsEmail && upn && !upn.includes('#EXT#') ? upn : undefined;
}

/** /users expands `manager`; delta lists `manager@delta`, where an `@removed` entry means no manager. */
function managerIdOf(user: MsgraphUser): string | undefined {
  const fromDelta = user['manager@delta'];
  if (fromDelta) return text(fromDelta.filter((entry) => !entry['@removed']).at(-1)?.id);
  return text(user.manager?.id);
}
