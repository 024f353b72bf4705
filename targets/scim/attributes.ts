/**
 * The SCIM 2.0 User attributes the target maps employees to (RFC 7643 section 4.1 and the enterprise
 * extension, section 4.3), as paths in the RFC 7644 PATCH syntax (section 3.5.2). One path names one
 * column of the desired-state file and one thing compared and patched.
 */
export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const WORK_EMAIL = 'emails[type eq "work"].value';
export const WORK_PHONE = 'phoneNumbers[type eq "work"].value';
export const MANAGER = `${ENTERPRISE_USER_SCHEMA}:manager`;

const CORE_SIMPLE = [
  'userName',
  'displayName',
  'nickName',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
] as const;
const CORE_NAME = ['name.givenName', 'name.familyName', 'name.middleName', 'name.formatted'] as const;
const ENTERPRISE_SIMPLE = ['employeeNumber', 'costCenter', 'organization', 'division', 'department'] as const;

export const SCIM_ATTRIBUTES = [
  ...CORE_SIMPLE,
  ...CORE_NAME,
  WORK_EMAIL,
  WORK_PHONE,
  ...ENTERPRISE_SIMPLE.map((name) => `${ENTERPRISE_USER_SCHEMA}:${name}` as const),
  MANAGER,
] as const;
export type ScimAttribute = (typeof SCIM_ATTRIBUTES)[number];

/** The parts of a SCIM User resource the target reads and writes (others are left as the app has them). */
export interface ScimUser {
  id: string;
  externalId?: string;
  userName?: string;
  active?: boolean;
  name?: Record<string, unknown>;
  emails?: { type?: string; value?: string; primary?: boolean }[];
  phoneNumbers?: { type?: string; value?: string }[];
  [key: string]: unknown;
}

/** An attribute's value on a user as the app has it ('' when absent); the manager as its SCIM id. */
export function readAttribute(user: ScimUser, attribute: ScimAttribute): string {
  if (attribute === WORK_EMAIL) return text(user.emails?.find((email) => email.type === 'work')?.value);
  if (attribute === WORK_PHONE) return text(user.phoneNumbers?.find((phone) => phone.type === 'work')?.value);
  if (attribute.startsWith(`${ENTERPRISE_USER_SCHEMA}:`)) {
    const extension = user[ENTERPRISE_USER_SCHEMA] as Record<string, unknown> | undefined;
    const name = attribute.slice(ENTERPRISE_USER_SCHEMA.length + 1);
    const value = extension?.[name];
    if (name === 'manager') return text((value as { value?: unknown } | undefined)?.value);
    return text(value);
  }
  if (attribute.startsWith('name.')) return text(user.name?.[attribute.slice('name.'.length)]);
  return text(user[attribute]);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** A SCIM User resource (for POST) from attribute values; empty values are left out. */
export function userResource(externalId: string, values: ReadonlyMap<ScimAttribute, string>, active: boolean) {
  const user: Record<string, unknown> = { schemas: [CORE_USER_SCHEMA], externalId, active };
  const name: Record<string, string> = {};
  const extension: Record<string, unknown> = {};
  for (const [attribute, value] of values) {
    if (value === '') continue;
    if (attribute === WORK_EMAIL) user['emails'] = [{ type: 'work', value, primary: true }];
    else if (attribute === WORK_PHONE) user['phoneNumbers'] = [{ type: 'work', value }];
    else if (attribute === MANAGER) extension['manager'] = { value };
    else if (attribute.startsWith(`${ENTERPRISE_USER_SCHEMA}:`))
      extension[attribute.slice(ENTERPRISE_USER_SCHEMA.length + 1)] = value;
    else if (attribute.startsWith('name.')) name[attribute.slice('name.'.length)] = value;
    else user[attribute] = value;
  }
  if (Object.keys(name).length > 0) user['name'] = name;
  if (Object.keys(extension).length > 0) {
    user['schemas'] = [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA];
    user[ENTERPRISE_USER_SCHEMA] = extension;
  }
  return user;
}

/**
 * What a listing asks the app for (RFC 7644 section 3.4.2.5 `attributes`): the match key, the
 * account state and each mapped attribute's top-level name, so a large app's listing stays small.
 */
export function listedAttributes(mapped: readonly ScimAttribute[]): string[] {
  const names = new Set(['externalId', 'active', 'userName']);
  for (const attribute of mapped) {
    if (attribute === WORK_EMAIL) names.add('emails');
    else if (attribute === WORK_PHONE) names.add('phoneNumbers');
    else if (attribute.startsWith(`${ENTERPRISE_USER_SCHEMA}:`)) names.add(attribute);
    else names.add(attribute.split('.')[0]!);
  }
  return [...names];
}

/** One RFC 7644 PATCH operation. */
export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/**
 * The operation that sets an attribute from `current` to `wanted` ('' clears it). A multi-valued
 * email or phone the user does not have yet is added, since a filtered path with no match is
 * `noTarget` (RFC 7644 section 3.5.2.3); the manager is a complex value naming the manager's id.
 */
export function patchOperation(attribute: ScimAttribute, current: string, wanted: string): PatchOperation {
  // The whole work entry goes: an entry left without its value is refused by many apps.
  if (wanted === '' && attribute === WORK_EMAIL) return { op: 'remove', path: 'emails[type eq "work"]' };
  if (wanted === '' && attribute === WORK_PHONE) return { op: 'remove', path: 'phoneNumbers[type eq "work"]' };
  if (wanted === '') return { op: 'remove', path: attribute };
  if (attribute === MANAGER) return { op: 'replace', path: attribute, value: { value: wanted } };
  if (current === '' && attribute === WORK_EMAIL)
    return { op: 'add', path: 'emails', value: [{ type: 'work', value: wanted, primary: true }] };
  if (current === '' && attribute === WORK_PHONE)
    return { op: 'add', path: 'phoneNumbers', value: [{ type: 'work', value: wanted }] };
  return { op: 'replace', path: attribute, value: wanted };
}

/** Attributes RFC 7643 declares caseExact false: a change of case alone is no change. */
const CASE_INSENSITIVE = new Set<string>(['userName', WORK_EMAIL]);

export function sameValue(attribute: ScimAttribute, current: string, wanted: string): boolean {
  return CASE_INSENSITIVE.has(attribute) ? current.toLowerCase() === wanted.toLowerCase() : current === wanted;
}
