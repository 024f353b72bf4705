import {
  AGE_GROUPS,
  ALLUDO_FILES,
  EXTENSION_VALUE,
  MANIFEST_FILE,
  MANIFEST_FILE_MODES,
  MANIFEST_FILE_PROPERTIES,
  MANIFEST_HEADERS,
  MANIFEST_VERSION,
  ORG_TYPES,
  RECORD_STATUSES,
  ROLES,
  ROLE_TYPES,
  defaultEnabledUserEncoding,
  enabledUserValues,
  headersOf,
  isFullProfile,
  oneRosterVersionOf,
} from './profiles';
import type { EnabledUserEncoding, ManifestFileMode, OneRosterProfile } from './profiles';
import { checkHeader, isDate, isDateTime, isEmail, listOf, parseCsv } from './validate-csv';
import type { CsvRecord, PackageProblem, ParsedCsv } from './validate-csv';

export type { PackageProblem } from './validate-csv';

export interface ValidateOptions {
  /** How `enabledUser` is written; the profile's default (Alludo Yes/No, OneRoster true/false) otherwise. */
  enabledUserEncoding?: EnabledUserEncoding;
}

type Entity = 'orgs' | 'users' | 'roles';
const ENTITIES: readonly Entity[] = ['orgs', 'users', 'roles'];

/** How a file is sent: `alludo` files have no status columns; OneRoster files are bulk or delta. */
type FileMode = 'alludo' | Exclude<ManifestFileMode, 'absent'>;

interface Context {
  profile: OneRosterProfile;
  receiver: string;
  encoding: EnabledUserEncoding;
  report: (problem: PackageProblem) => void;
}

/**
 * Checks a package the way a strict receiver would (meibo, ManageBac, Alludo's page), so it serves both
 * as the pre-upload check and as the tests' oracle. `files` maps file names to CSV text. Reported:
 * - package: the files the profile reads, manifest presence and consistency (versions, every `file.*`
 *   property, absent files left out, bulk/delta files present, populated `source.*`);
 * - headers: exact names, order and completeness (extension columns only to the right, not for Alludo);
 * - cells: required values, enumerations (status, enabledUser, org type, roleType, role incl. `ext:`),
 *   dates and date-times, emails, bulk files' blank status/dateLastModified, delta files' populated ones;
 * - across rows and files: unique sourcedIds (and emails for Alludo), roles' users and orgs, users'
 *   primary orgs and agents, org parents (no loops; one level of `local` nesting for Alludo), and one
 *   primary role per user (exactly one for OneRoster, at most one for Alludo).
 * Files the profile has but this target never writes (classes, courses...) are checked only for presence.
 */
export function validateOneRosterPackage(
  files: Readonly<Record<string, string>>,
  profile: OneRosterProfile,
  options: ValidateOptions = {},
): PackageProblem[] {
  const problems: PackageProblem[] = [];
  const context: Context = {
    profile,
    receiver: profile === 'alludo' ? 'Alludo' : `OneRoster ${oneRosterVersionOf(profile)}`,
    encoding: options.enabledUserEncoding ?? defaultEnabledUserEncoding(profile),
    report: (problem) => problems.push(problem),
  };
  const modes = isFullProfile(profile) ? manifestModes(files, context) : alludoModes(files, context);
  if (!modes) return problems;

  const parsed: Partial<Record<Entity, { csv: ParsedCsv; mode: FileMode }>> = {};
  for (const entity of ENTITIES) {
    const mode = modes.get(entity);
    const text = files[`${entity}.csv`];
    if (mode === undefined || text === undefined) continue;
    const csv = parseCsv(`${entity}.csv`, text, context.report);
    if (!csv) continue;
    checkHeader(
      csv,
      headersOf(profile)[entity],
      profile === 'alludo' ? 'forbidden' : 'allowed-after',
      context.receiver,
      context.report,
    );
    if (profile !== 'alludo' && csv.records.length === 0)
      context.report({ file: csv.file, message: 'has no data rows; mark it absent in the manifest and leave it out' });
    checkCells(csv, entity, mode, context);
    parsed[entity] = { csv, mode };
  }
  // A file that is there but cannot be read leaves references into it unchecked, not all wrong.
  const unreadable = ENTITIES.filter(
    (entity) => modes.has(entity) && files[`${entity}.csv`] !== undefined && !parsed[entity],
  );
  checkAcrossFiles(parsed.orgs?.csv, parsed.users?.csv, parsed.roles?.csv, modes, new Set(unreadable), context);
  return problems;
}

/** Alludo reads three loose files by exact name; anything else is ignored, which is worth knowing. */
function alludoModes(files: Readonly<Record<string, string>>, context: Context): Map<Entity, FileMode> {
  const modes = new Map<Entity, FileMode>();
  for (const name of Object.keys(files)) {
    if ((ALLUDO_FILES as readonly string[]).includes(name)) modes.set(name.replace(/\.csv$/, '') as Entity, 'alludo');
    else
      context.report({
        file: name,
        message: 'is not a file Alludo reads (only orgs.csv, users.csv and roles.csv); it would be ignored',
      });
  }
  // orgs.csv is optional for Alludo ("if all of the schools and groups have been created").
  for (const required of ['users', 'roles'] as const)
    if (!modes.has(required)) context.report({ file: `${required}.csv`, message: 'is missing from the package' });
  return modes;
}

/** Reads manifest.csv and checks it against the package; undefined when there is no usable manifest. */
function manifestModes(files: Readonly<Record<string, string>>, context: Context): Map<Entity, FileMode> | undefined {
  const file = MANIFEST_FILE;
  const text = files[file];
  if (text === undefined) {
    context.report({ file, message: 'is missing; a OneRoster package needs its manifest' });
    return undefined;
  }
  const csv = parseCsv(file, text, context.report);
  if (!csv) return undefined;
  checkHeader(csv, MANIFEST_HEADERS, 'forbidden', context.receiver, context.report);

  const known = new Set<string>([
    'manifest.version',
    'oneroster.version',
    ...MANIFEST_FILE_PROPERTIES,
    'source.systemName',
    'source.systemCode',
  ]);
  const values = new Map<string, { value: string; line: number }>();
  for (const record of csv.records) {
    const property = csv.get(record, 'propertyName');
    const value = csv.get(record, 'value');
    const at = (message: string) => context.report({ file, line: record.line, column: 'propertyName', message });
    if (!known.has(property)) at(`has property "${property}", which is not a OneRoster manifest property`);
    else if (values.has(property)) at(`repeats property "${property}" (line ${values.get(property)?.line})`);
    else values.set(property, { value, line: record.line });
  }
  const expectValue = (property: string, expected: string) => {
    const found = values.get(property);
    if (found && found.value !== expected)
      context.report({ file, line: found.line, column: 'value', message: `${property} must be ${expected}` });
  };
  for (const property of known)
    if (!values.has(property)) context.report({ file, message: `is missing property "${property}"` });
  expectValue('manifest.version', MANIFEST_VERSION);
  if (isFullProfile(context.profile)) expectValue('oneroster.version', oneRosterVersionOf(context.profile));
  for (const property of ['source.systemName', 'source.systemCode']) {
    const found = values.get(property);
    if (found && !found.value.trim())
      context.report({ file, line: found.line, column: 'value', message: `${property} must be populated` });
  }

  const modes = new Map<Entity, FileMode>();
  const listed = new Set<string>([file]);
  for (const property of MANIFEST_FILE_PROPERTIES) {
    const found = values.get(property);
    if (!found) continue;
    const name = `${property.slice('file.'.length)}.csv`;
    listed.add(name);
    if (!(MANIFEST_FILE_MODES as readonly string[]).includes(found.value)) {
      context.report({ file, line: found.line, column: 'value', message: `${property} must be absent, bulk or delta` });
      continue;
    }
    const present = files[name] !== undefined;
    if (found.value === 'absent' && present)
      context.report({ file: name, message: `is in the package but the manifest marks ${property} absent` });
    if (found.value !== 'absent' && !present)
      context.report({ file: name, message: `is missing, but the manifest marks ${property} ${found.value}` });
    const entity = property.slice('file.'.length);
    if (found.value !== 'absent' && present && (ENTITIES as readonly string[]).includes(entity))
      modes.set(entity as Entity, found.value as FileMode);
  }
  for (const name of Object.keys(files))
    if (!listed.has(name))
      context.report({ file: name, message: 'is in the package but not a file the manifest lists' });
  return modes;
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
function cellRules(entity: Entity, context: Pick<Context, 'profile' | 'encoding'>): Record<string, CellRule> {
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

function checkCells(csv: ParsedCsv, entity: Entity, mode: FileMode, context: Context): void {
  const check = recordCheck(entity, mode, context);
  const has = (column: string) => csv.has(column);
  for (const record of csv.records) {
    if (!record.complete) continue;
    for (const { column, message } of check((column) => csv.get(record, column), has))
      context.report({ file: csv.file, line: record.line, column, message });
  }
}

/** The rules on one record's own cells: what a row alone can get wrong, whatever the other rows hold. */
function recordCheck(
  entity: Entity,
  mode: FileMode,
  context: Pick<Context, 'profile' | 'encoding'>,
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

/** sourcedId -> the line it is first defined on; repeats are reported. */
function definedIds(csv: ParsedCsv | undefined, context: Context): Map<string, CsvRecord> | undefined {
  if (!csv) return undefined;
  const ids = new Map<string, CsvRecord>();
  for (const record of csv.records) {
    const id = csv.get(record, 'sourcedId');
    if (!id) continue;
    const first = ids.get(id);
    if (first)
      context.report({
        file: csv.file,
        line: record.line,
        column: 'sourcedId',
        message: `repeats sourcedId "${id}" of line ${first.line}`,
      });
    else ids.set(id, record);
  }
  return ids;
}

function checkAcrossFiles(
  orgs: ParsedCsv | undefined,
  users: ParsedCsv | undefined,
  roles: ParsedCsv | undefined,
  modes: ReadonlyMap<Entity, FileMode>,
  unreadable: ReadonlySet<Entity>,
  context: Context,
): void {
  const orgIds = definedIds(orgs, context);
  const userIds = definedIds(users, context);
  definedIds(roles, context);
  // An Alludo package may leave orgs.csv out when every org already exists in Alludo; a OneRoster
  // bulk package must be complete, so references into an absent orgs file cannot resolve.
  const orgsUncheckable = unreadable.has('orgs') || (!orgs && context.profile === 'alludo');
  const checkOrgs = orgsUncheckable ? undefined : (orgIds ?? new Map<string, CsvRecord>());
  const checkUsers = unreadable.has('users') ? undefined : (userIds ?? new Map<string, CsvRecord>());
  const missingOrg = (id: string) =>
    orgs ? `refers to org "${id}", which orgs.csv does not define` : `refers to org "${id}", but orgs.csv is absent`;
  const refersTo = (
    csv: ParsedCsv,
    record: CsvRecord,
    column: string,
    known: ReadonlyMap<string, CsvRecord> | undefined,
    message: (id: string) => string,
  ) => {
    const id = csv.get(record, column);
    if (id && known && !known.has(id))
      context.report({ file: csv.file, line: record.line, column, message: message(id) });
  };

  if (orgs && orgIds) checkOrgTree(orgs, orgIds, context);

  if (users) {
    const emails = new Map<string, number>();
    for (const record of users.records) {
      refersTo(users, record, 'primaryOrgSourcedId', checkOrgs, missingOrg);
      for (const agent of listOf(users.get(record, 'agentSourcedIds'))) {
        if (checkUsers && !checkUsers.has(agent))
          context.report({
            file: users.file,
            line: record.line,
            column: 'agentSourcedIds',
            message: `refers to user "${agent}", which users.csv does not define`,
          });
      }
      const email = users.get(record, 'email').toLowerCase();
      if (context.profile === 'alludo' && email) {
        const first = emails.get(email);
        if (first !== undefined)
          context.report({
            file: users.file,
            line: record.line,
            column: 'email',
            message: `repeats the email address of line ${first}; Alludo needs a unique email per user`,
          });
        else emails.set(email, record.line);
      }
    }
  }

  if (roles) {
    const primaries = new Map<string, number>();
    for (const record of roles.records) {
      refersTo(roles, record, 'userSourcedId', checkUsers, (id) =>
        users
          ? `refers to user "${id}", which users.csv does not define`
          : `refers to user "${id}", but users.csv is absent`,
      );
      refersTo(roles, record, 'orgSourcedId', checkOrgs, missingOrg);
      const profileRef = roles.get(record, 'userProfileSourcedId');
      if (profileRef)
        context.report({
          file: roles.file,
          line: record.line,
          column: 'userProfileSourcedId',
          message: `refers to user profile "${profileRef}", but this package has no userProfiles.csv`,
        });
      const user = roles.get(record, 'userSourcedId');
      if (roles.get(record, 'roleType') !== 'primary' || !user) continue;
      const first = primaries.get(user);
      if (first !== undefined)
        context.report({
          file: roles.file,
          line: record.line,
          column: 'roleType',
          message: `is a second primary role of user "${user}" (the first is on line ${first}); a user has one primary role`,
        });
      else primaries.set(user, record.line);
    }
    // OneRoster: every user has exactly one primary role. Alludo keeps the primary site in users.csv
    // and roles are mostly secondary, so there a user may have none.
    if (users && context.profile !== 'alludo' && modes.get('roles') !== 'delta' && modes.get('users') !== 'delta') {
      for (const record of users.records) {
        const id = users.get(record, 'sourcedId');
        if (id && !primaries.has(id))
          context.report({
            file: users.file,
            line: record.line,
            column: 'sourcedId',
            message: 'has no primary role in roles.csv',
          });
      }
    }
  }
}

/** Parents exist and are not the org itself or its descendants; Alludo nests one level, groups only. */
function checkOrgTree(orgs: ParsedCsv, ids: ReadonlyMap<string, CsvRecord>, context: Context): void {
  const parentOf = (id: string) => {
    const record = ids.get(id);
    return record ? orgs.get(record, 'parentSourcedId') : '';
  };
  for (const record of orgs.records) {
    const id = orgs.get(record, 'sourcedId');
    const parent = orgs.get(record, 'parentSourcedId');
    if (!parent) continue;
    const at = (message: string) =>
      context.report({ file: orgs.file, line: record.line, column: 'parentSourcedId', message });
    if (!ids.has(parent)) {
      at(`refers to org "${parent}", which orgs.csv does not define`);
      continue;
    }
    const chain = new Set([id]);
    let current = parent;
    let loops = false;
    while (current) {
      if (chain.has(current)) {
        loops = true;
        break;
      }
      chain.add(current);
      current = parentOf(current);
    }
    if (loops) {
      at('makes a parent chain that loops back to this org');
      continue;
    }
    if (context.profile !== 'alludo') continue;
    if (parentOf(parent))
      at(`nests below org "${parent}", which has a parent itself; Alludo supports one level of nesting`);
    if (orgs.get(record, 'type') !== 'local')
      at('gives a parent to an org that is not a group (local); Alludo nests groups only');
  }
}
