import type { Buffer } from 'node:buffer';
import { parse } from 'csv-parse/sync';

/**
 * Alludo's side of Automated Rostering, written from the vendor page alone (vendor-docs/
 * alludo-automated-rostering.txt), not from the target's code, so it can disagree with it.
 */

/** The numbered columns, in the page's order. */
export const ALLUDO_COLUMNS = {
  'orgs.csv': ['sourcedId', 'name', 'type', 'parentSourcedId'],
  'users.csv': [
    'sourcedId',
    'identifier',
    'enabledUser',
    'givenName',
    'familyName',
    'email',
    'primaryOrgSourcedId',
    'ageGroup',
  ],
  'roles.csv': ['sourcedId', 'userSourcedId', 'roleType', 'role', 'orgSourcedId'],
} as const;
export type AlludoFileName = keyof typeof ALLUDO_COLUMNS;
export const ALLUDO_FILE_NAMES = Object.keys(ALLUDO_COLUMNS) as AlludoFileName[];

// The receiver's rules are written out here, not imported from targets/: a wrong list in the product
// must be caught by this fake, not mirrored by it.
const ORG_TYPES = ['school', 'local', 'department', 'district', 'state', 'national'];
const ROLE_TYPES = ['primary', 'secondary'];
const ROLES = [
  'aide',
  'counselor',
  'districtAdministrator',
  'guardian',
  'parent',
  'principal',
  'proctor',
  'relative',
  'siteAdministrator',
  'student',
  'systemAdministrator',
  'teacher',
];
const AGE_GROUPS = ['child', 'adult'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface AlludoOrg {
  sourcedId: string;
  name: string;
  type: string;
  parentSourcedId?: string;
}

export interface AlludoUser {
  sourcedId: string;
  identifier: string;
  givenName: string;
  familyName: string;
  email: string;
  primaryOrgSourcedId?: string;
  ageGroup?: string;
  /** False once a file said enabledUser=No: "Setting enabledUser to No will remove that users access". */
  hasAccess: boolean;
}

export interface AlludoRole {
  sourcedId: string;
  userSourcedId: string;
  roleType: string;
  role: string;
  orgSourcedId: string;
}

/** A row (or a whole file, without a line) Alludo could not take; the row is skipped, the rest applied. */
export interface AlludoError {
  file: AlludoFileName;
  line?: number;
  message: string;
}

/** What a user missing from users.csv means: the page does not say [?]. */
export type MissingUserPolicy = 'keep' | 'remove-access';

interface Row {
  line: number;
  get(column: string): string;
}

/** Alludo's store: orgs, users and roles, updated by each processed set of files. */
export class AlludoRoster {
  readonly orgs = new Map<string, AlludoOrg>();
  readonly users = new Map<string, AlludoUser>();
  readonly roles = new Map<string, AlludoRole>();

  constructor(private readonly missingUsers: () => MissingUserPolicy) {}

  /** Applies one snapshot of the drop folder: orgs first, then users, then roles. */
  apply(files: ReadonlyMap<AlludoFileName, Buffer>): { errors: AlludoError[]; accessRemoved: string[] } {
    const errors: AlludoError[] = [];
    const accessRemoved: string[] = [];
    const orgs = files.get('orgs.csv');
    if (orgs) this.applyOrgs(rowsOf('orgs.csv', orgs, errors), errors);
    const users = files.get('users.csv');
    if (users) this.applyUsers(rowsOf('users.csv', users, errors), errors, accessRemoved);
    const roles = files.get('roles.csv');
    if (roles) this.applyRoles(rowsOf('roles.csv', roles, errors), errors);
    return { errors, accessRemoved };
  }

  private applyOrgs(rows: Row[] | undefined, errors: AlludoError[]): void {
    if (!rows) return;
    const error = (line: number, message: string) => errors.push({ file: 'orgs.csv', line, message });
    const incoming = new Map<string, { row: Row; org: AlludoOrg }>();
    for (const row of rows) {
      const org: AlludoOrg = { sourcedId: row.get('sourcedId'), name: row.get('name'), type: row.get('type') };
      const parent = row.get('parentSourcedId');
      if (parent) org.parentSourcedId = parent;
      if (!org.sourcedId) error(row.line, 'sourcedId is required');
      else if (incoming.has(org.sourcedId)) error(row.line, `sourcedId ${org.sourcedId} is not unique in the district`);
      else if (!org.name) error(row.line, 'name is required');
      else if (!ORG_TYPES.includes(org.type)) error(row.line, `type must be one of ${ORG_TYPES.join(', ')}`);
      else incoming.set(org.sourcedId, { row, org });
    }
    const lookup = (id: string) => incoming.get(id)?.org ?? this.orgs.get(id);
    for (const { row, org } of incoming.values()) {
      if (org.parentSourcedId !== undefined) {
        const parent = lookup(org.parentSourcedId);
        if (!parent) {
          error(row.line, `parentSourcedId ${org.parentSourcedId} is not a known organization`);
          continue;
        }
        if (parent.parentSourcedId !== undefined) {
          error(row.line, 'Alludo supports one level of nesting groups');
          continue;
        }
        if (org.type !== 'local') {
          error(row.line, 'only groups (local) can be nested');
          continue;
        }
      }
      this.orgs.set(org.sourcedId, org);
    }
  }

  private applyUsers(rows: Row[] | undefined, errors: AlludoError[], accessRemoved: string[]): void {
    if (!rows) return;
    const error = (line: number, message: string) => errors.push({ file: 'users.csv', line, message });
    const seenIds = new Set<string>();
    const seenEmails = new Set<string>();
    for (const row of rows) {
      const enabled = row.get('enabledUser');
      const user: AlludoUser = {
        sourcedId: row.get('sourcedId'),
        identifier: row.get('identifier'),
        givenName: row.get('givenName'),
        familyName: row.get('familyName'),
        email: row.get('email'),
        hasAccess: enabled === 'Yes',
      };
      const primaryOrg = row.get('primaryOrgSourcedId');
      if (primaryOrg) user.primaryOrgSourcedId = primaryOrg;
      const ageGroup = row.get('ageGroup');
      if (ageGroup) user.ageGroup = ageGroup;
      const email = user.email.toLowerCase();
      const emailOwner = [...this.users.values()].find((other) => other.email.toLowerCase() === email);
      if (!user.sourcedId) error(row.line, 'sourcedId is required');
      else if (seenIds.has(user.sourcedId))
        error(row.line, `sourcedId ${user.sourcedId} is not unique in the district`);
      else if (enabled !== 'Yes' && enabled !== 'No') error(row.line, 'enabledUser must be Yes or No');
      else if (!user.givenName || !user.familyName) error(row.line, 'givenName and familyName are required');
      else if (!EMAIL.test(user.email)) error(row.line, 'email must be a valid email address');
      else if (seenEmails.has(email) || (emailOwner && emailOwner.sourcedId !== user.sourcedId))
        error(row.line, 'each user must have a unique email address');
      else if (primaryOrg && !this.orgs.has(primaryOrg))
        error(row.line, `primaryOrgSourcedId ${primaryOrg} is not a known organization`);
      else if (ageGroup && !AGE_GROUPS.includes(ageGroup)) error(row.line, 'ageGroup must be child or adult');
      else {
        seenIds.add(user.sourcedId);
        seenEmails.add(email);
        const before = this.users.get(user.sourcedId);
        if (before?.hasAccess !== false && !user.hasAccess) accessRemoved.push(user.sourcedId);
        this.users.set(user.sourcedId, user);
      }
    }
    if (this.missingUsers() === 'remove-access') {
      for (const user of this.users.values()) {
        if (seenIds.has(user.sourcedId) || !user.hasAccess) continue;
        user.hasAccess = false;
        accessRemoved.push(user.sourcedId);
      }
    }
  }

  private applyRoles(rows: Row[] | undefined, errors: AlludoError[]): void {
    if (!rows) return;
    const error = (line: number, message: string) => errors.push({ file: 'roles.csv', line, message });
    const seenIds = new Set<string>();
    const primaryOf = new Map<string, string>();
    // A roles file is taken as the full list of memberships (bulk): roles it no longer lists end.
    this.roles.clear();
    for (const row of rows) {
      const role: AlludoRole = {
        sourcedId: row.get('sourcedId'),
        userSourcedId: row.get('userSourcedId'),
        roleType: row.get('roleType'),
        role: row.get('role'),
        orgSourcedId: row.get('orgSourcedId'),
      };
      const otherPrimary = primaryOf.get(role.userSourcedId);
      if (!role.sourcedId) error(row.line, 'sourcedId is required');
      else if (seenIds.has(role.sourcedId)) error(row.line, `sourcedId ${role.sourcedId} is not unique`);
      else if (!this.users.has(role.userSourcedId))
        error(row.line, `userSourcedId ${role.userSourcedId} is not a known user`);
      else if (!this.orgs.has(role.orgSourcedId))
        error(row.line, `orgSourcedId ${role.orgSourcedId} is not a known organization`);
      else if (!ROLE_TYPES.includes(role.roleType)) error(row.line, 'roleType must be primary or secondary');
      else if (!ROLES.includes(role.role)) error(row.line, `role must be one of ${ROLES.join(', ')}`);
      else if (role.roleType === 'primary' && otherPrimary !== undefined)
        error(row.line, 'a user can have one primary roletype');
      else {
        seenIds.add(role.sourcedId);
        if (role.roleType === 'primary') primaryOf.set(role.userSourcedId, role.sourcedId);
        this.roles.set(role.sourcedId, role);
      }
    }
  }
}

/** The file's rows, or undefined (with an error) when its header is not exactly Alludo's columns. */
function rowsOf(file: AlludoFileName, content: Buffer, errors: AlludoError[]): Row[] | undefined {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(content, { bom: true, info: true, relax_column_count: true }) as unknown as typeof records;
  } catch {
    errors.push({ file, message: 'the file is not valid CSV' });
    return undefined;
  }
  const [header, ...rest] = records;
  const expected: readonly string[] = ALLUDO_COLUMNS[file];
  if (!header || header.record.join(',') !== expected.join(',')) {
    errors.push({ file, line: 1, message: `the columns must be ${expected.join(',')}` });
    return undefined;
  }
  return rest.map(({ record, info }) => ({
    line: info.lines,
    get: (column: string) => record[expected.indexOf(column)] ?? '',
  }));
}
