/*
 * The fake's user directory and how an import changes it (specs/targets.md 1.4):
 * - delta: only users in the file change, and only the mapped attributes; `Deactivated` deletes a
 *   pending user and deactivates a registered one.
 * - full: as delta for the users in the file (who are (re)activated), then every registered user
 *   missing from the file is deactivated and every pending one deleted.
 * Choices where the docs are silent are marked [I].
 */

/** pending: created, never signed in; registered: signed in at least once; deactivated: off-boarded. */
export type FakeUserStatus = 'pending' | 'registered' | 'deactivated';

export interface FakeStaffbaseUser {
  externalId: string;
  status: FakeUserStatus;
  /** Whether the user ever registered: a reactivated user returns to registered, else to pending. */
  registered: boolean;
  /** Staffbase attribute -> value (eMail, profile-field:firstName, ...). */
  attributes: Record<string, string>;
}

export interface FakeImportCounts {
  created: number;
  updated: number;
  deactivated: number;
  deleted: number;
  unchanged: number;
  warnings: number;
}

/** A row Staffbase skipped (wholly or one property), for the errors CSV. [?] Real codes are not public. */
export interface FakeRowWarning {
  line: number;
  /** The row's identifier cell (empty when the row had none). */
  externalId: string;
  code: string;
  message: string;
}

/** One data row after the mapping: its file line (the header is line 1). */
export interface MappedRow {
  line: number;
  externalId: string;
  /** Lower-cased status cell, or undefined when no status column is mapped. */
  status: string | undefined;
  attributes: Record<string, string>;
}

/** What an import has done so far; kept on the import so an interrupted run resumes where it stopped. */
export interface ImportProgress {
  nextRow: number;
  seen: Set<string>;
  counts: FakeImportCounts;
  warnings: FakeRowWarning[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function emptyCounts(): FakeImportCounts {
  return { created: 0, updated: 0, deactivated: 0, deleted: 0, unchanged: 0, warnings: 0 };
}

export function newProgress(): ImportProgress {
  return { nextRow: 0, seen: new Set(), counts: emptyCounts(), warnings: [] };
}

/** The user directory as an import reads and changes it: the store itself, or a dry run's copy-on-write view. */
export interface UserTable {
  get(externalId: string): FakeStaffbaseUser | undefined;
  set(externalId: string, user: FakeStaffbaseUser): unknown;
  delete(externalId: string): unknown;
  values(): IterableIterator<FakeStaffbaseUser>;
}

export class FakeUserStore {
  readonly users = new Map<string, FakeStaffbaseUser>();
  /** Every user ever created by an import: a duplicated import shows up here. */
  creates = 0;
  /**
   * Lower-cased email -> the users who have it (one id, or several when seeded so); built when a run
   * first needs it, kept up to date while it runs.
   */
  private emailOwners: Map<string, string | string[]> | undefined;

  constructor(private readonly table: UserTable = new Map()) {
    if (table instanceof Map) this.users = table as Map<string, FakeStaffbaseUser>;
  }

  /** A preview's directory: reads fall through to this one, changes stay in the copy. */
  dryRun(): FakeUserStore {
    const copy = new FakeUserStore(new CopyOnWriteUsers(this.users));
    copy.creates = this.creates;
    return copy;
  }

  /** Applies rows[progress.nextRow .. end) (or up to, not including, file line `stopBeforeLine`). */
  applyRows(rows: readonly MappedRow[], delta: boolean, progress: ImportProgress, stopBeforeLine?: number): boolean {
    this.startRun();
    while (progress.nextRow < rows.length) {
      if (!this.applyNext(rows[progress.nextRow] as MappedRow, delta, progress, stopBeforeLine)) return false;
    }
    return true;
  }

  /** Forgets what an earlier run knew: tests may change the users between runs. */
  startRun(): void {
    this.emailOwners = undefined;
  }

  /** Applies the row at `progress.nextRow`, unless it is at or past `stopBeforeLine` (then false). */
  applyNext(row: MappedRow, delta: boolean, progress: ImportProgress, stopBeforeLine?: number): boolean {
    if (stopBeforeLine !== undefined && row.line >= stopBeforeLine) return false;
    this.applyRow(row, delta, progress);
    progress.nextRow += 1;
    return true;
  }

  /** Full mode's last pass: whoever the file did not list is off-boarded. */
  offboardMissing(progress: ImportProgress): void {
    for (const user of [...this.table.values()]) {
      if (progress.seen.has(user.externalId)) continue;
      if (user.status === 'pending') {
        this.remove(user);
        progress.counts.deleted += 1;
      } else if (user.status === 'registered') {
        this.table.get(user.externalId)!.status = 'deactivated';
        progress.counts.deactivated += 1;
      }
    }
  }

  private applyRow(row: MappedRow, delta: boolean, progress: ImportProgress): void {
    const warn = (code: string, message: string) => {
      progress.warnings.push({ line: row.line, externalId: row.externalId, code, message });
      progress.counts.warnings += 1;
    };
    if (!row.externalId) return warn('CSV_MISSING_EXTERNAL_ID', 'the identifier is empty; row skipped');
    if (progress.seen.has(row.externalId)) {
      return warn('CSV_DUPLICATE_EXTERNAL_ID', 'the identifier repeats an earlier row; row skipped');
    }
    progress.seen.add(row.externalId);

    let status = row.status;
    if (status !== undefined && status !== '' && status !== 'activated' && status !== 'deactivated') {
      warn('CSV_INVALID_STATUS', 'the status is neither Activated nor Deactivated; status skipped');
      status = undefined;
    }
    const attributes = this.acceptedAttributes(row, warn);
    const user = this.table.get(row.externalId);

    if (status === 'deactivated') {
      if (!user || user.status === 'deactivated') {
        // [I] Off-boarding someone Staffbase never knew (or already off-boarded) changes nothing.
        progress.counts.unchanged += 1;
      } else if (user.status === 'pending') {
        this.remove(user);
        progress.counts.deleted += 1;
      } else {
        user.status = 'deactivated';
        progress.counts.deactivated += 1;
      }
      return;
    }

    if (!user) {
      this.table.set(row.externalId, { externalId: row.externalId, status: 'pending', registered: false, attributes });
      this.ownEmail(row.externalId, undefined, attributes['eMail']);
      this.creates += 1;
      progress.counts.created += 1;
      return;
    }
    // A deactivated user comes back when the file says Activated, or (full mode) simply lists them.
    const reactivate = user.status === 'deactivated' && (status === 'activated' || !delta);
    let changed = false;
    if (reactivate) {
      user.status = user.registered ? 'registered' : 'pending';
      changed = true;
    }
    // [I] A mapped column sets its attribute, an empty cell clears it; unmapped attributes stay.
    for (const [attribute, value] of Object.entries(attributes)) {
      if ((user.attributes[attribute] ?? '') === value) continue;
      changed = true;
      if (attribute === 'eMail') this.ownEmail(user.externalId, user.attributes['eMail'], value);
      if (value === '') delete user.attributes[attribute];
      else user.attributes[attribute] = value;
    }
    if (changed) progress.counts.updated += 1;
    else progress.counts.unchanged += 1;
  }

  /** Drops (with a warning) the properties Staffbase would skip: a malformed or already-taken email. */
  private acceptedAttributes(row: MappedRow, warn: (code: string, message: string) => void): Record<string, string> {
    const attributes = { ...row.attributes };
    const email = attributes['eMail'];
    if (email) {
      const owners = this.owners().get(email.toLowerCase()) ?? [];
      const taken = (typeof owners === 'string' ? [owners] : owners).some((owner) => owner !== row.externalId);
      if (!EMAIL.test(email)) {
        warn('CSV_INVALID_EMAIL', 'the email address is malformed; email skipped');
        delete attributes['eMail'];
      } else if (taken) {
        warn('CSV_DUPLICATE_EMAIL', 'the email address belongs to another user; email skipped');
        delete attributes['eMail'];
      }
    }
    return Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, value.trim()]));
  }

  private owners(): Map<string, string | string[]> {
    if (this.emailOwners) return this.emailOwners;
    this.emailOwners = new Map();
    for (const user of this.table.values()) this.ownEmail(user.externalId, undefined, user.attributes['eMail']);
    return this.emailOwners;
  }

  private ownEmail(externalId: string, before: string | undefined, after: string | undefined): void {
    const owners = this.owners();
    if (before) {
      const key = before.toLowerCase();
      const others = [owners.get(key) ?? []].flat().filter((owner) => owner !== externalId);
      if (others.length === 0) owners.delete(key);
      else owners.set(key, others.length === 1 ? (others[0] as string) : others);
    }
    if (after) {
      const key = after.toLowerCase();
      const all = [owners.get(key) ?? []].flat();
      if (!all.includes(externalId)) owners.set(key, all.length === 0 ? externalId : [...all, externalId]);
    }
  }

  private remove(user: FakeStaffbaseUser): void {
    this.ownEmail(user.externalId, user.attributes['eMail'], undefined);
    this.table.delete(user.externalId);
  }
}

/** A dry run's view of a directory: a user is copied the first time the run reads it, so the directory never changes. */
class CopyOnWriteUsers implements UserTable {
  /** Users of the directory the run read (copies); null for those it deleted. */
  private readonly touched = new Map<string, FakeStaffbaseUser | null>();

  constructor(private readonly base: ReadonlyMap<string, FakeStaffbaseUser>) {}

  get(externalId: string): FakeStaffbaseUser | undefined {
    const seen = this.touched.get(externalId);
    if (seen !== undefined) return seen ?? undefined;
    const user = this.base.get(externalId);
    if (!user) return undefined;
    const copy = { ...user, attributes: { ...user.attributes } };
    this.touched.set(externalId, copy);
    return copy;
  }

  /**
   * A user the dry run creates is counted, not kept: its id is in the run's `seen` set (a later row
   * with it is a duplicate) and its email in the run's index, so a preview of a million new people
   * holds no million users.
   */
  set(externalId: string, user: FakeStaffbaseUser): void {
    if (this.base.has(externalId)) this.touched.set(externalId, user);
  }

  delete(externalId: string): void {
    this.touched.set(externalId, null);
  }

  *values(): IterableIterator<FakeStaffbaseUser> {
    for (const [externalId, user] of this.base) {
      const seen = this.touched.get(externalId);
      if (seen === undefined) yield user;
      else if (seen !== null) yield seen;
    }
  }
}

/**
 * The errors download: one line per skipped row or property; empty when there were none. [?] The
 * real columns are not public; the fake writes line, identifier, code and a message, and the test
 * can choose which of them (and in which order) to write, so the client cannot depend on them.
 */
export function errorsCsv(
  warnings: readonly FakeRowWarning[],
  columns: readonly (keyof FakeRowWarning)[] = ['line', 'externalId', 'code', 'message'],
): string {
  if (warnings.length === 0) return '';
  const quote = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = warnings.map((warning) => columns.map((column) => quote(String(warning[column]))).join(','));
  return [columns.join(','), ...lines].join('\n') + '\n';
}
