/**
 * The column sets and enumerations of the three profiles this target writes (specs/targets.md
 * sections 3 and 4). Header names and values are case-sensitive and columns appear in exactly this
 * order: receivers reject a scrambled header (meibo's ScrambledHeaderFieldsError, ManageBac).
 */

export const ONEROSTER_PROFILES = ['alludo', 'oneroster-1.2', 'oneroster-1.2.1'] as const;
export type OneRosterProfile = (typeof ONEROSTER_PROFILES)[number];

/** Alludo's "limited version of OneRoster 1.2": only these three files, loose, never a manifest. */
export const ALLUDO_FILES = ['orgs.csv', 'users.csv', 'roles.csv'] as const;

/** Alludo's numbered columns (help.alludolearning.com/article/174-automated-rostering). */
const ALLUDO_HEADERS = {
  orgs: ['sourcedId', 'name', 'type', 'parentSourcedId'],
  users: [
    'sourcedId',
    'identifier',
    'enabledUser',
    'givenName',
    'familyName',
    'email',
    'primaryOrgSourcedId',
    'ageGroup',
  ],
  roles: ['sourcedId', 'userSourcedId', 'roleType', 'role', 'orgSourcedId'],
} as const;

const ONEROSTER_ORGS = ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'];

/** OneRoster 1.2.1 users.csv: 22 columns (meibo lib/meibo/user.rb, ManageBac). */
const ONEROSTER_1_2_1_USERS = [
  'sourcedId',
  'status',
  'dateLastModified',
  'enabledUser',
  'username',
  'userIds',
  'givenName',
  'familyName',
  'middleName',
  'identifier',
  'email',
  'sms',
  'phone',
  'agentSourcedIds',
  'grades',
  'password',
  'userMasterIdentifier',
  'preferredGivenName',
  'preferredMiddleName',
  'preferredFamilyName',
  'primaryOrgSourcedId',
  'pronouns',
];

/** OneRoster 1.2 users.csv: the same plus `resourceSourcedIds` after `userMasterIdentifier` (23 columns). */
const ONEROSTER_1_2_USERS = [
  ...ONEROSTER_1_2_1_USERS.slice(0, ONEROSTER_1_2_1_USERS.indexOf('userMasterIdentifier') + 1),
  'resourceSourcedIds',
  ...ONEROSTER_1_2_1_USERS.slice(ONEROSTER_1_2_1_USERS.indexOf('userMasterIdentifier') + 1),
];

const ONEROSTER_ROLES = [
  'sourcedId',
  'status',
  'dateLastModified',
  'userSourcedId',
  'roleType',
  'role',
  'beginDate',
  'endDate',
  'orgSourcedId',
  'userProfileSourcedId',
];

export const MANIFEST_FILE = 'manifest.csv';
export const MANIFEST_HEADERS: readonly string[] = ['propertyName', 'value'];
export const MANIFEST_VERSION = '1.0';

/** Every `file.*` property of a 1.2 manifest, in the spec's order. */
export const MANIFEST_FILE_PROPERTIES = [
  'file.academicSessions',
  'file.categories',
  'file.classes',
  'file.classResources',
  'file.courses',
  'file.courseResources',
  'file.demographics',
  'file.enrollments',
  'file.lineItemLearningObjectiveIds',
  'file.lineItems',
  'file.lineItemScoreScales',
  'file.orgs',
  'file.resources',
  'file.resultLearningObjectiveIds',
  'file.results',
  'file.resultScoreScales',
  'file.roles',
  'file.scoreScales',
  'file.userProfiles',
  'file.userResources',
  'file.users',
] as const;

export const MANIFEST_FILE_MODES = ['absent', 'bulk', 'delta'] as const;
export type ManifestFileMode = (typeof MANIFEST_FILE_MODES)[number];

export interface ProfileHeaders {
  orgs: readonly string[];
  users: readonly string[];
  roles: readonly string[];
}

export function headersOf(profile: OneRosterProfile): ProfileHeaders {
  switch (profile) {
    case 'alludo':
      return ALLUDO_HEADERS;
    case 'oneroster-1.2':
      return { orgs: ONEROSTER_ORGS, users: ONEROSTER_1_2_USERS, roles: ONEROSTER_ROLES };
    case 'oneroster-1.2.1':
      return { orgs: ONEROSTER_ORGS, users: ONEROSTER_1_2_1_USERS, roles: ONEROSTER_ROLES };
  }
}

/** The `oneroster.version` a full profile's manifest must carry; it must agree with the users.csv columns. */
export function oneRosterVersionOf(profile: Exclude<OneRosterProfile, 'alludo'>): string {
  return profile === 'oneroster-1.2' ? '1.2' : '1.2.1';
}

export function isFullProfile(profile: OneRosterProfile): profile is Exclude<OneRosterProfile, 'alludo'> {
  return profile !== 'alludo';
}

/** OneRoster extension enum values, e.g. `ext:contractor` (meibo's ENUM_EXT_PATTERN). */
export const EXTENSION_VALUE = /^ext:[a-zA-Z0-9.\-_]+$/;

export const ORG_TYPES = ['department', 'school', 'district', 'local', 'state', 'national'] as const;
/** What Alludo makes of orgs: "school" is a school site, "local" is an Alludo group. */
export const ALLUDO_ORG_TYPES = ['school', 'local'] as const;

/** The 1.2 role enumeration; 1.1's `administrator` is gone. Alludo lists exactly these twelve. */
export const ROLES = [
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
] as const;

export const ROLE_TYPES = ['primary', 'secondary'] as const;
export type RoleType = (typeof ROLE_TYPES)[number];

export const RECORD_STATUSES = ['active', 'tobedeleted'] as const;

/** Alludo's age groups; the vendor lists `child` and `adult`. */
export const AGE_GROUPS = ['adult', 'child'] as const;

/** `enabledUser` as Alludo writes it (Yes/No) or as OneRoster does (true/false, lowercase). */
export const ENABLED_USER_ENCODINGS = ['yes-no', 'true-false'] as const;
export type EnabledUserEncoding = (typeof ENABLED_USER_ENCODINGS)[number];

export function enabledUserValues(encoding: EnabledUserEncoding): { enabled: string; disabled: string } {
  return encoding === 'yes-no' ? { enabled: 'Yes', disabled: 'No' } : { enabled: 'true', disabled: 'false' };
}

/** Alludo's page says Yes/No; OneRoster readers accept only true/false. */
export function defaultEnabledUserEncoding(profile: OneRosterProfile): EnabledUserEncoding {
  return profile === 'alludo' ? 'yes-no' : 'true-false';
}
