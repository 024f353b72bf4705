import { Hash64Set, hash64 } from '../../core/hash64';
import { defaultEnabledUserEncoding, headersOf, isFullProfile, oneRosterVersionOf } from './profiles';
import type { OneRosterProfile } from './profiles';
import { alludoModes, manifestModes } from './validate-contents';
import type { ContentsContext } from './validate-contents';
import { checkHeader, csvSink, listOf } from './validate-csv';
import type { CsvColumns, CsvHandlers, CsvRecord, FileRead } from './validate-csv';
import type { FirstLine, ProblemLog, ProblemPlace } from './validate-problems';
import { ENTITIES, recordCheck } from './validate-rows';
import type { Entity, FileMode, ValidateOptions } from './validate-rows';

/** A file's own problems come in this order, after the package's contents and file by file. */
const FILE_PHASES = ['syntax', 'header', 'no rows', 'cells'] as const;
/** Then the checks across rows and files, in this order. */
const ACROSS_PHASES = [
  'orgs ids',
  'users ids',
  'roles ids',
  'org tree',
  'user refs',
  'role refs',
  'no primary',
] as const;
/** What one users.csv row reports across files, in this order within the row. */
const USER_REFS = ['primaryOrgSourcedId', 'agentSourcedIds', 'email'] as const;

const place = {
  file: (entity: Entity, phase: (typeof FILE_PHASES)[number]): ProblemPlace => [
    1,
    ENTITIES.indexOf(entity),
    FILE_PHASES.indexOf(phase),
  ],
  across: (phase: (typeof ACROSS_PHASES)[number]): ProblemPlace => [2, ACROSS_PHASES.indexOf(phase)],
  // A row's agents are checked on a second read, once every user is known, but reported in the row's turn.
  userRef: (line: number, column: (typeof USER_REFS)[number]): ProblemPlace => [
    2,
    ACROSS_PHASES.indexOf('user refs'),
    line,
    USER_REFS.indexOf(column),
  ],
};

/** The keys repeats are found by; the look-up of a repeat's first line reads rows the same way. */
const REPEAT_KEYS = {
  sourcedId: (columns: CsvColumns, record: CsvRecord) => columns.get(record, 'sourcedId'),
  email: (columns: CsvColumns, record: CsvRecord) => columns.get(record, 'email').toLowerCase(),
  primaryRole: (columns: CsvColumns, record: CsvRecord) =>
    columns.get(record, 'roleType') === 'primary' ? columns.get(record, 'userSourcedId') : '',
};
type RepeatKey = keyof typeof REPEAT_KEYS;

interface OrgRow {
  line: number;
  id: string;
  parent: string;
  type: string;
}

/**
 * The package check as the file reads it asks for, each fed by a driver before the check carries on
 * (validate.ts from strings, validate-stream.ts from streams): the manifest, then orgs, users and
 * roles, row by row, each row's own checks as it passes. References point back, so each is answered
 * as it is read: users' orgs from orgs.csv, roles' users and orgs from both. What needs every user
 * (agents named before they are defined, users without a primary role) takes a second, hash-only
 * read of users.csv; the first line a kept repeat names, a read of its file. Users and roles are held
 * as 64-bit hashes (core/hash64.ts), never their strings; orgs, a few hundred derived from departments
 * or locations, whole.
 */
export function* packageReads(
  names: readonly string[],
  profile: OneRosterProfile,
  options: ValidateOptions,
  log: ProblemLog,
): Generator<FileRead, void, undefined> {
  yield* new PackageCheck(names, profile, options, log).reads();
}

class PackageCheck {
  private readonly context: ContentsContext;
  private readonly full: boolean;
  private readonly status = new Map<Entity, 'read' | 'unreadable'>();
  private readonly orgIds = new Map<string, OrgRow>();
  /** The orgs that name a parent, for the tree check once every org is known. */
  private readonly nestedOrgs: OrgRow[] = [];
  private readonly userIds = new UniqueKey('sourcedId', 'sourcedId', () => place.across('users ids'));
  private readonly emails = new UniqueKey('email', 'email', (line) => place.userRef(line, 'email'));
  private readonly roleIds = new UniqueKey('sourcedId', 'sourcedId', () => place.across('roles ids'));
  private readonly primaryRoles = new UniqueKey('primaryRole', 'roleType', () => place.across('role refs'));
  /** A user named an agent not defined above it: decided once every user is known. */
  private agentsAhead = false;

  constructor(
    private readonly names: readonly string[],
    private readonly profile: OneRosterProfile,
    private readonly options: ValidateOptions,
    private readonly log: ProblemLog,
  ) {
    const receiver = isFullProfile(profile) ? `OneRoster ${oneRosterVersionOf(profile)}` : 'Alludo';
    this.context = { profile, receiver, log };
    this.full = isFullProfile(profile);
  }

  *reads(): Generator<FileRead, void, undefined> {
    const modes = this.full ? yield* manifestModes(this.names, this.context) : alludoModes(this.names, this.context);
    if (!modes) return;
    const orgs = modes.get('orgs');
    if (orgs && (yield* this.read('orgs', orgs, (record, columns, staged) => this.orgRow(record, columns, staged))))
      this.checkOrgTree();
    const users = modes.get('users');
    if (users) {
      const missingOrg = this.missingOrg();
      yield* this.read('users', users, (record, columns, staged) => this.userRow(record, columns, staged, missingOrg));
    }
    const roles = modes.get('roles');
    if (roles) {
      const [missingOrg, missingUser] = [this.missingOrg(), this.missingUser()];
      yield* this.read('roles', roles, (record, columns, staged) =>
        this.roleRow(record, columns, staged, missingOrg, missingUser),
      );
    }
    // OneRoster: every user has exactly one primary role. Alludo keeps the primary site in users.csv
    // and roles are mostly secondary, so there a user may have none.
    const primaryForAll = this.full && this.status.get('roles') === 'read' && roles !== 'delta' && users !== 'delta';
    if (this.status.get('users') === 'read' && (this.agentsAhead || primaryForAll))
      yield* this.readAgain('users.csv', (record, columns) => this.userRowOnceAllKnown(record, columns, primaryForAll));
    yield* this.findFirstLines();
  }

  /**
   * One file's read: its syntax, header and cells, and `row` for the checks across rows. An unreadable
   * file reports only that, and references into it go unchecked rather than all wrong.
   */
  private *read(
    entity: Entity,
    mode: FileMode,
    row: (record: CsvRecord, columns: CsvColumns, staged: ProblemLog) => void,
  ): Generator<FileRead, boolean, undefined> {
    const { profile } = this;
    const file = `${entity}.csv`;
    const staged = this.log.staged();
    const check = recordCheck(entity, mode, {
      profile,
      encoding: this.options.enabledUserEncoding ?? defaultEnabledUserEncoding(profile),
    });
    let records = 0;
    const sink = csvSink(file, (problem) => staged.add(place.file(entity, 'syntax'), problem), {
      header: (columns) =>
        checkHeader(
          columns,
          headersOf(profile)[entity],
          this.full ? 'allowed-after' : 'forbidden',
          this.context.receiver,
          (problem) => staged.add(place.file(entity, 'header'), problem),
        ),
      record: (record, columns) => {
        records += 1;
        if (record.complete) {
          const get = (column: string) => columns.get(record, column);
          for (const { column, message } of check(get, (column) => columns.has(column)))
            staged.add(place.file(entity, 'cells'), { file, line: record.line, column, message });
        }
        row(record, columns, staged);
      },
    });
    yield { file, write: (chunk) => sink.write(chunk) };
    const unreadable = sink.end();
    this.status.set(entity, unreadable ? 'unreadable' : 'read');
    if (unreadable) {
      this.log.add(place.file(entity, 'syntax'), unreadable);
      return false;
    }
    if (this.full && records === 0)
      staged.add(place.file(entity, 'no rows'), {
        file,
        message: 'has no data rows; mark it absent in the manifest and leave it out',
      });
    this.log.absorb(staged);
    return true;
  }

  /** A file read before, read again for what needed all of it; its problems were reported the first time. */
  private *readAgain(file: string, record: CsvHandlers['record']): Generator<FileRead, void, undefined> {
    const sink = csvSink(file, () => undefined, { record });
    yield { file, write: (chunk) => sink.write(chunk) };
    if (sink.end()) throw new Error(`${file} changed while the package check was reading it`);
  }

  private orgRow(record: CsvRecord, columns: CsvColumns, staged: ProblemLog): void {
    const get = (column: string) => columns.get(record, column);
    const row = { line: record.line, id: get('sourcedId'), parent: get('parentSourcedId'), type: get('type') };
    if (row.parent) this.nestedOrgs.push(row);
    if (!row.id) return;
    const first = this.orgIds.get(row.id);
    if (first)
      staged.add(place.across('orgs ids'), {
        file: columns.file,
        line: row.line,
        column: 'sourcedId',
        message: `repeats sourcedId "${row.id}" of line ${first.line}`,
      });
    else this.orgIds.set(row.id, row);
  }

  /** Parents exist and are not the org itself or its descendants; Alludo nests one level, groups only. */
  private checkOrgTree(): void {
    const parentOf = (id: string) => this.orgIds.get(id)?.parent ?? '';
    for (const { line, id, parent, type } of this.nestedOrgs) {
      const at = (message: string) =>
        this.log.add(place.across('org tree'), { file: 'orgs.csv', line, column: 'parentSourcedId', message });
      if (!this.orgIds.has(parent)) {
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
      if (this.full) continue;
      if (parentOf(parent))
        at(`nests below org "${parent}", which has a parent itself; Alludo supports one level of nesting`);
      if (type !== 'local') at('gives a parent to an org that is not a group (local); Alludo nests groups only');
    }
  }

  private userRow(
    record: CsvRecord,
    columns: CsvColumns,
    staged: ProblemLog,
    missingOrg: MissingReference | undefined,
  ): void {
    const { file } = columns;
    const { line } = record;
    const id = columns.get(record, 'sourcedId');
    this.userIds.add(record, columns, staged, (first) => `repeats sourcedId "${id}" of line ${first}`);
    const org = columns.get(record, 'primaryOrgSourcedId');
    const orgMessage = org ? missingOrg?.(org) : undefined;
    if (orgMessage)
      staged.add(place.userRef(line, 'primaryOrgSourcedId'), {
        file,
        line,
        column: 'primaryOrgSourcedId',
        message: orgMessage,
      });
    if (!this.agentsAhead)
      this.agentsAhead = listOf(columns.get(record, 'agentSourcedIds')).some((agent) => !this.userIds.has(agent));
    if (this.full) return;
    this.emails.add(
      record,
      columns,
      staged,
      (first) => `repeats the email address of line ${first}; Alludo needs a unique email per user`,
    );
  }

  /** The second read of users.csv: agents against every user, and whether each user has a primary role. */
  private userRowOnceAllKnown(record: CsvRecord, columns: CsvColumns, primaryForAll: boolean): void {
    const { file } = columns;
    const { line } = record;
    for (const agent of this.agentsAhead ? listOf(columns.get(record, 'agentSourcedIds')) : [])
      if (!this.userIds.has(agent))
        this.log.add(place.userRef(line, 'agentSourcedIds'), {
          file,
          line,
          column: 'agentSourcedIds',
          message: `refers to user "${agent}", which users.csv does not define`,
        });
    const id = columns.get(record, 'sourcedId');
    if (primaryForAll && id && !this.primaryRoles.has(id))
      this.log.add(place.across('no primary'), {
        file,
        line,
        column: 'sourcedId',
        message: 'has no primary role in roles.csv',
      });
  }

  private roleRow(
    record: CsvRecord,
    columns: CsvColumns,
    staged: ProblemLog,
    missingOrg: MissingReference | undefined,
    missingUser: MissingReference | undefined,
  ): void {
    const { file } = columns;
    const { line } = record;
    const get = (column: string) => columns.get(record, column);
    const at = (column: string, message: string) =>
      staged.add(place.across('role refs'), { file, line, column, message });
    const id = get('sourcedId');
    this.roleIds.add(record, columns, staged, (first) => `repeats sourcedId "${id}" of line ${first}`);
    const user = get('userSourcedId');
    const userMessage = user ? missingUser?.(user) : undefined;
    if (userMessage) at('userSourcedId', userMessage);
    const org = get('orgSourcedId');
    const orgMessage = org ? missingOrg?.(org) : undefined;
    if (orgMessage) at('orgSourcedId', orgMessage);
    const profileRef = get('userProfileSourcedId');
    if (profileRef)
      at('userProfileSourcedId', `refers to user profile "${profileRef}", but this package has no userProfiles.csv`);
    this.primaryRoles.add(
      record,
      columns,
      staged,
      (first) =>
        `is a second primary role of user "${user}" (the first is on line ${first}); a user has one primary role`,
    );
  }

  /** Reads each file with kept repeats once more, for the line each repeated key first appears on. */
  private *findFirstLines(): Generator<FileRead, void, undefined> {
    const waiting = this.log.waitingForFirstLines();
    const lines = new Map<string, Map<bigint, number>>();
    const linesOf = ({ file, key }: Pick<FirstLine, 'file' | 'key'>) => `${file}\n${key}`;
    for (const wanted of waiting) {
      const found = lines.get(linesOf(wanted)) ?? new Map<bigint, number>();
      found.set(wanted.hash, 0);
      lines.set(linesOf(wanted), found);
    }
    for (const file of new Set(waiting.map((wanted) => wanted.file))) {
      const keys = (Object.keys(REPEAT_KEYS) as RepeatKey[]).flatMap((key) => {
        const found = lines.get(linesOf({ file, key }));
        return found ? [{ key, found }] : [];
      });
      yield* this.readAgain(file, (record, columns) => {
        for (const { key, found } of keys) {
          const value = REPEAT_KEYS[key](columns, record);
          const hash = value ? hash64(value) : undefined;
          if (hash !== undefined && found.get(hash) === 0) found.set(hash, record.line);
        }
      });
    }
    this.log.resolveFirstLines((wanted) => {
      const line = lines.get(linesOf(wanted))?.get(wanted.hash);
      if (!line) throw new Error(`${wanted.file} changed while the package check was reading it`);
      return line;
    });
  }

  /**
   * Why a reference to an org fails, or undefined for none; no function when it cannot be checked:
   * an Alludo package may leave orgs.csv out when every org already exists in Alludo, while a OneRoster
   * bulk package must be complete, so references into an absent orgs file cannot resolve.
   */
  private missingOrg(): MissingReference | undefined {
    const status = this.status.get('orgs');
    if (status === 'unreadable' || (status === undefined && !this.full)) return undefined;
    return (id) => {
      if (this.orgIds.has(id)) return undefined;
      return status === 'read'
        ? `refers to org "${id}", which orgs.csv does not define`
        : `refers to org "${id}", but orgs.csv is absent`;
    };
  }

  private missingUser(): MissingReference | undefined {
    const status = this.status.get('users');
    if (status === 'unreadable') return undefined;
    return (id) => {
      if (this.userIds.has(id)) return undefined;
      return status === 'read'
        ? `refers to user "${id}", which users.csv does not define`
        : `refers to user "${id}", but users.csv is absent`;
    };
  }
}

type MissingReference = (id: string) => string | undefined;

/**
 * One key that must not repeat across a file's rows (a sourcedId, an email, a user's primary role),
 * held as 64-bit hashes. A repeat's message names the line the key first appeared on, looked up by
 * PackageCheck.findFirstLines only for the repeats the report keeps.
 */
class UniqueKey {
  private readonly hashes = new Hash64Set();

  constructor(
    private readonly key: RepeatKey,
    private readonly column: string,
    private readonly placeOf: (line: number) => ProblemPlace,
  ) {}

  has(value: string): boolean {
    return this.hashes.has(hash64(value));
  }

  /** Adds the row's key; reports the row when an earlier row had it. */
  add(record: CsvRecord, columns: CsvColumns, log: ProblemLog, message: (firstLine: number) => string): void {
    const value = REPEAT_KEYS[this.key](columns, record);
    if (!value) return;
    const hash = hash64(value);
    if (this.hashes.add(hash)) return;
    const { file } = columns;
    log.addRepeat(
      this.placeOf(record.line),
      { file, line: record.line, column: this.column },
      { file, key: this.key, hash, message },
    );
  }
}
