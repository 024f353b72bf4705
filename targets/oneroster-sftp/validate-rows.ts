import {
  AGE_GROUPS,
  EXTENSION_VALUE,
  ORG_TYPES,
  RECORD_STATUSES,
  ROLES,
  ROLE_TYPES,
  defaultEnabledUserEncoding,
  enabledUserValues,
  isFullProfile,
} from './profiles';
import type { EnabledUserEncoding, ManifestFileMode, OneRosterProfile } from './profiles';
import { isDate, isDateTime, isEmail, listOf } from './validate-csv';

export interface ValidateOptions {
  /** How `enabledUser` is written; the profile's default (Alludo Yes/No, OneRoster true/false) otherwise. */
  enabledUserEncoding?: EnabledUserEncoding;
}

export type Entity = 'orgs' | 'users' | 'roles';
/** The files this target writes, in the order the package check reads them: references point back. */
export const ENTITIES: readonly Entity[] = ['orgs', 'users', 'roles'];

/** How a file is sent: `alludo` files have no status columns; OneRoster files are bulk or delta. */
export type FileMode = 'alludo' | Exclude<ManifestFileMode, 'absent'>;

interface RowContext {
  profile: OneRosterProfile;
  encoding: EnabledUserEncoding;
}

interface CellRule {
  required?: boolean;
  /** Why an empty cell is wrong, when not simply "is required". */
  requiredBecause?: string;
  oneOf?: readonly string[];
  /** Also accept `ext:<name>` values. */
  extensible?: boolean;
  format?: 'date' | 'dateTime' | 'email';
}

/** The per-cell rules of one file in one profile. */
function cellRules(entity: Entity, context: RowContext): Record<string, CellRule> {
  const full = context.profile !== 'alludo';
  const { enabled, disabled } = enabledUserValues(context.encoding);
  switch (entity) {
    case 'orgs':
      return {
        sourcedId: { required: true },
        name: { required: true },
        type: { required: true, oneOf: ORG_TYPES, extensible: full },
      };
    case 'users':
      return full
        ? {
            sourcedId: { required: true },
            enabledUser: { required: true, oneOf: [enabled, disabled] },
            username: { required: true },
            givenName: { required: true },
            familyName: { required: true },
            email: { format: 'email' },
          }
        : {
            sourcedId: { required: true },
            enabledUser: { required: true, oneOf: [enabled, disabled] },
            givenName: { required: true },
            familyName: { required: true },
            // "Each user must have a unique email address."
            email: { required: true, format: 'email' },
            ageGroup: { oneOf: AGE_GROUPS },
          };
    case 'roles':
      return {
        sourcedId: { required: true },
        userSourcedId: { required: true },
        roleType: { required: true, oneOf: ROLE_TYPES },
        // Alludo lists exactly the twelve 1.2 roles, without extensions.
        role: { required: true, oneOf: ROLES, extensible: full },
        orgSourcedId: { required: true },
        ...(full ? { beginDate: { format: 'date' }, endDate: { format: 'date' } } : {}),
      };
  }
}

/** The rules on one record's own cells: what a row alone can get wrong, whatever the other rows hold. */
export function recordCheck(
  entity: Entity,
  mode: FileMode,
  context: RowContext,
): (get: (column: string) => string, has: (column: string) => boolean) => { column: string; message: string }[] {
  const rules: Record<string, CellRule> = { ...cellRules(entity, context) };
  // Bulk files are full snapshots: status and dateLastModified must be blank. Delta files need both.
  if (mode === 'delta') {
    const because = 'is required in a delta file';
    rules['status'] = { required: true, requiredBecause: because, oneOf: RECORD_STATUSES };
    rules['dateLastModified'] = { required: true, requiredBecause: because, format: 'dateTime' };
  }
  return (get, has) => {
    const problems: { column: string; message: string }[] = [];
    const at = (column: string, message: string) => problems.push({ column, message });
    if (mode === 'bulk') {
      for (const column of ['status', 'dateLastModified'])
        if (get(column) !== '') at(column, 'must be blank in a bulk file');
    }
    for (const [column, rule] of Object.entries(rules)) {
      if (!has(column)) continue;
      const value = get(column);
      if (value === '') {
        if (rule.required) at(column, rule.requiredBecause ?? 'is required');
        continue;
      }
      if (rule.oneOf && !rule.oneOf.includes(value) && !(rule.extensible && EXTENSION_VALUE.test(value)))
        at(column, `must be one of ${rule.oneOf.join(', ')}${rule.extensible ? ' or an ext:<name> extension' : ''}`);
      if (rule.format === 'date' && !isDate(value)) at(column, 'must be a date as YYYY-MM-DD');
      if (rule.format === 'dateTime' && !isDateTime(value))
        at(column, 'must be an ISO 8601 date-time such as 2026-11-30T02:00:00.000Z');
      if (rule.format === 'email' && !isEmail(value)) at(column, 'is not a valid email address');
    }
    if (entity === 'users' && context.profile !== 'alludo') {
      const userIds = get('userIds');
      if (userIds && !listOf(userIds).every((entry) => /^\{[^:{}]+:[^{}]+\}$/.test(entry)))
        at('userIds', 'must be a comma-separated list of {type:identifier}');
    }
    if (entity === 'roles') {
      // YYYY-MM-DD compares as text; a role cannot end before it begins.
      const [begin, end] = [get('beginDate'), get('endDate')];
      if (isDate(begin) && isDate(end) && end < begin)
        at('endDate', 'is before beginDate: the role would end before it begins');
    }
    return problems;
  };
}

/**
 * The per-record rules of the package check for one file this target writes (bulk mode, or Alludo's
 * files), for the render step: a row that would fail them is rejected on its own, under the sync's
 * `onRejectedRows`, instead of failing the whole package before upload.
 */
export function oneRosterRowRules(
  fileName: string,
  headers: readonly string[],
  profile: OneRosterProfile,
  options: ValidateOptions = {},
): (row: readonly string[]) => { field: string; reason: string }[] {
  const entity = fileName.replace(/\.csv$/, '') as Entity;
  if (!ENTITIES.includes(entity)) throw new Error(`${fileName} is not a OneRoster file with row rules`);
  const encoding = options.enabledUserEncoding ?? defaultEnabledUserEncoding(profile);
  const check = recordCheck(entity, isFullProfile(profile) ? 'bulk' : 'alludo', { profile, encoding });
  const positions = new Map(headers.map((header, at) => [header, at]));
  return (row) =>
    check(
      (column) => row[positions.get(column) ?? -1] ?? '',
      (column) => positions.has(column),
    ).map(({ column, message }) => ({ field: column, reason: message }));
}
