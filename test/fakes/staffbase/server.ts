import { Buffer } from 'node:buffer';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { FakeHttpServer } from '../support/fake-http';
import type { FakeRequest, FakeResponse } from '../support/fake-http';
import type { ReceivedFile } from '../support/multipart';
import { checkImportFile, dataRecords, readDataRecords } from './import-file';
import { FakeUserStore, errorsCsv, newProgress } from './users';
import type { FakeImportCounts, FakeRowWarning, FakeStaffbaseUser, ImportProgress, MappedRow } from './users';

/** An API token as Studio issues it: base64 of `clientId:clientSecret`, sent as-is after `Basic `. */
export const STAFFBASE_TOKEN = Buffer.from('staffbase-fake-client:staffbase-fake-secret').toString('base64');
const OWNER_ID = '645de133f3e49f6b7f78cfff';

// Staffbase's states, written out here rather than imported from targets/staffbase: the fake must
// be able to disagree with the client it tests.
export const FAKE_IMPORT_STATES = [
  'DRAFT',
  'PREVIEW_PENDING',
  'CREATING_PREVIEW',
  'PREVIEW_READY',
  'IMPORT_PENDING',
  'IMPORTING',
  'COMPLETED',
  'CANCELLED',
] as const;
export type FakeImportState = (typeof FAKE_IMPORT_STATES)[number];

/** Documented messages (specs/targets.md 1.6) and the ones this fake had to choose ([I]). */
export const STAFFBASE_MESSAGES = {
  notFound: 'Resource could not be found',
  mappingValues: "Parameter 'mapping_values' is invalid",
  body: "Parameter 'body' is invalid",
  missingFile: 'Missing form file',
  utf8: 'invalid UTF8 format',
  separator: 'invalid separator selected',
  /** [I] not documented: mapping keys that are no Staffbase attribute or profile field. */
  mappingKeys: "Parameter 'mapping_keys' is invalid",
  /** [I] not documented. */
  invalidCsv: 'CSV_INVALID_CSV_DATA',
  /** [I] not documented. */
  noData: 'CSV_UPLOAD_NO_DATA',
} as const;

/** [?] The error envelope is not public; the fake answers `{ code, message }`. */
const fail = (status: number, message: string): FakeResponse => ({ status, json: { code: status, message } });

const ATTRIBUTES = new Set([
  'externalId',
  'externalID',
  'eMail',
  'userName',
  'accessCode',
  'recoveryCode',
  'recoveryCodeExpiration',
  'mandatoryGroupIDs',
  'status',
]);
const DEFAULT_PROFILE_FIELDS = [
  'firstName',
  'lastName',
  'position',
  'department',
  'location',
  'publicEmailAddress',
  'phoneNumber',
];
/** An import with more rows than this is previewed and applied in the background, not within one step. */
const INLINE_RECORDS = 5_000;
/** Rows a background run applies between two turns of the event loop, so polls are answered meanwhile. */
const ROWS_PER_TURN = 2_000;

interface FakeImportConfig {
  delta: boolean;
  encoding: string;
  separator: string;
  type: string;
  generateRecoveryCodes: boolean;
  sendMailsNew: boolean;
  sendMailsPending: boolean;
  removeAll?: boolean;
  mapping: Record<string, string>;
}

export interface FakeImport {
  id: string;
  createdAt: string;
  fileName: string;
  fileSize: number;
  recordCount: number;
  state: FakeImportState;
  /** Every state the import has been in, in order (some are too short for a poller to see). */
  stateLog: FakeImportState[];
  headers: string[];
  /** The uploaded file, kept on disk until the fake closes. */
  file: ReceivedFile;
  /** The data rows, read from the file (for tests' assertions on small files). */
  readonly records: string[][];
  separator: string;
  config: FakeImportConfig;
  /** Whether a valid mapping was written (the auto-detected config has none). */
  configured: boolean;
  configWrites: number;
  preview?: FakeImportCounts;
  result?: FakeImportCounts;
  warnings: FakeRowWarning[];
  progress?: ImportProgress;
  /** Fault switches for this import. */
  stuck: boolean;
  reportedState?: string;
  cancelAt?: FakeImportState;
  interruptAtLine?: number;
  interruptions: number;
  /** A preview or import being applied in the background (see `inlineRecords`). */
  running?: Promise<void>;
}

export interface StaffbaseFakeOptions {
  /** Every GET of a single import first moves the clock one step, so a polling client sees progress. */
  autoAdvanceOnPoll?: boolean;
  /** Answer uploads with an absolute `Location` (the guide's example) instead of a path (the notebook's). */
  absoluteLocation?: boolean;
  /** The query parameter the list reads its cursor from ([?] undocumented). */
  cursorParam?: string;
  /** Profile field ids that exist in this tenant. */
  profileFields?: string[];
  /**
   * Imports up to this many rows are previewed and applied within one step of the clock; larger ones
   * in the background, as Staffbase does: the state stays CREATING_PREVIEW or IMPORTING while the rows
   * are applied (polls are answered meanwhile), and moves on by itself once they are.
   */
  inlineRecords?: number;
}

/**
 * A fake of Staffbase's (new) CSV Import API as specs/targets.md 1.2-1.8 describe it: Basic token,
 * upload with validation, list with cursors, config (PATCH or PUT) with the documented messages,
 * state changes along the mock transition graph, automatic states on a step clock (`advance()`),
 * preview counts, and a user store with exact delta and full semantics.
 */
export class StaffbaseFake {
  readonly store = new FakeUserStore();
  readonly imports = new Map<string, FakeImport>();
  autoAdvanceOnPoll: boolean;
  absoluteLocation: boolean;
  cursorParam: string;
  profileFields: Set<string>;
  inlineRecords: number;
  /** A token that authenticates but lacks administrative access: every call is 403. [I] */
  tokenWithoutAdminRights = false;
  /** The next N uploads are stored and then answered with 502, as if the response were lost. */
  failAfterCreate = 0;
  /** The next N uploads are stored and answered 201 without the documented `Location` (a proxy that drops it). */
  dropLocation = 0;
  /** Imports successfully created (including those whose response failed). */
  importsCreated = 0;
  /**
   * Counts the import leaves out of its preview and result, as the real API may: which counts it
   * reports is not public ([?] specs/targets.md 1.8); only Studio's added, updated, deleted are.
   */
  omittedCounts = new Set<keyof FakeImportCounts>();
  /** The columns of the errors CSV, in order. [?] */
  errorReportColumns: (keyof FakeRowWarning)[] = ['line', 'externalId', 'code', 'message'];
  /** Cancelling is refused (409), as if the import had already been picked up. [I] */
  refuseCancellation = false;

  http!: FakeHttpServer;
  private sequence = 0;
  /** While set, background runs stop after their current few thousand rows (see `pauseBackground`). */
  private backgroundGate: Promise<void> | undefined;

  private constructor(options: StaffbaseFakeOptions) {
    this.autoAdvanceOnPoll = options.autoAdvanceOnPoll ?? false;
    this.absoluteLocation = options.absoluteLocation ?? false;
    this.cursorParam = options.cursorParam ?? 'cursor';
    this.profileFields = new Set(options.profileFields ?? DEFAULT_PROFILE_FIELDS);
    this.inlineRecords = options.inlineRecords ?? INLINE_RECORDS;
  }

  static async start(options: StaffbaseFakeOptions = {}): Promise<StaffbaseFake> {
    const fake = new StaffbaseFake(options);
    fake.http = await FakeHttpServer.start((request) => fake.handle(request));
    return fake;
  }

  get baseUrl(): string {
    return `${this.http.url}/api`;
  }

  get users(): Map<string, FakeStaffbaseUser> {
    return this.store.users;
  }

  /** Users created by imports over the fake's life: a duplicated import creates them twice. */
  get userCreates(): number {
    return this.store.creates;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  // ---- test controls ------------------------------------------------------------------------

  seedUser(externalId: string, status: FakeStaffbaseUser['status'], attributes: Record<string, string> = {}): void {
    this.store.users.set(externalId, { externalId, status, registered: status !== 'pending', attributes });
  }

  /** The user signs in for the first time. */
  register(externalId: string): void {
    const user = this.store.users.get(externalId);
    if (!user) throw new Error(`no user ${externalId}`);
    user.registered = true;
    if (user.status === 'pending') user.status = 'registered';
  }

  importById(id: string): FakeImport {
    const found = this.imports.get(id);
    if (!found) throw new Error(`no import ${id}`);
    return found;
  }

  /** Upload attempts that reached the fake (answered or not): a retried POST shows up here. */
  createRequests(): number {
    return this.http.requests.filter((request) => request.method === 'POST' && request.path === '/api/users/imports')
      .length;
  }

  /** The next `times` requests (to paths matching `path`) fail with `status`. */
  failNext(times: number, status = 503, path?: RegExp): void {
    this.http.injectFault({ times, ...(path ? { path } : {}), response: fail(status, 'Service Unavailable') });
  }

  rateLimitNext(times: number, retryAfterSeconds = 1, path?: RegExp): void {
    this.http.injectFault({
      times,
      ...(path ? { path } : {}),
      response: {
        status: 429,
        headers: { 'retry-after': String(retryAfterSeconds) },
        json: { code: 429, message: 'Too Many Requests' },
      },
    });
  }

  /** An administrator cancels the import in Studio now. */
  cancel(importId: string): void {
    moveTo(this.importById(importId), 'CANCELLED');
  }

  /** The import is cancelled instead of leaving `state` on the next step. */
  cancelAt(importId: string, state: FakeImportState): void {
    this.importById(importId).cancelAt = state;
  }

  /** The import never leaves its current state. */
  stick(importId: string, stuck = true): void {
    this.importById(importId).stuck = stuck;
  }

  /** Report a state outside the documented set (the import's real progress is unaffected). */
  reportState(importId: string, state: string | undefined): void {
    const found = this.importById(importId);
    if (state === undefined) delete found.reportedState;
    else found.reportedState = state;
  }

  /**
   * Background runs (imports over `inlineRecords` rows) stop after their current few thousand rows
   * until the returned function is called: a test can look at an import while it is being applied.
   */
  pauseBackground(): () => void {
    let resume = () => {};
    this.backgroundGate = new Promise((resolve) => (resume = resolve));
    return () => {
      this.backgroundGate = undefined;
      resume();
    };
  }

  /** Resolves once no preview or import is being applied in the background. */
  async idle(): Promise<void> {
    await Promise.all([...this.imports.values()].map((found) => found.running ?? Promise.resolve()));
  }

  /** The import stops before file line `line` (the header is line 1) and resumes on the next step. */
  interruptAtLine(importId: string, line: number): void {
    this.importById(importId).interruptAtLine = line;
  }

  /**
   * The clock: every import in an automatic state moves one step (PREVIEW_PENDING -> CREATING_PREVIEW
   * -> PREVIEW_READY; IMPORT_PENDING -> IMPORTING -> COMPLETED). Imports run one at a time, in the
   * order they were queued ("delta imports can be queued").
   */
  advance(steps = 1): void {
    for (let step = 0; step < steps; step += 1) {
      const moving = [...this.imports.values()].map((found) => [found, found.state] as const);
      for (const [found, stateAtStart] of moving) {
        if (found.state === stateAtStart) this.step(found);
      }
    }
  }

  /** Advances until no import is in an automatic state (or `maxSteps` passed). */
  settle(maxSteps = 50): void {
    for (let step = 0; step < maxSteps; step += 1) {
      const busy = [...this.imports.values()].some(
        (found) =>
          !found.stuck && ['PREVIEW_PENDING', 'CREATING_PREVIEW', 'IMPORT_PENDING', 'IMPORTING'].includes(found.state),
      );
      if (!busy) return;
      this.advance();
    }
  }

  // ---- the state machine --------------------------------------------------------------------

  private step(found: FakeImport): void {
    if (found.stuck || found.state === 'COMPLETED' || found.state === 'CANCELLED') return;
    if (found.cancelAt === found.state) {
      moveTo(found, 'CANCELLED');
      return;
    }
    switch (found.state) {
      case 'PREVIEW_PENDING':
        moveTo(found, 'CREATING_PREVIEW');
        return;
      case 'CREATING_PREVIEW':
        if (found.recordCount > this.inlineRecords) return this.inBackground(found, () => this.preview(found));
        this.finishPreview(
          found,
          this.dryRun(found, (store, progress) =>
            store.applyRows(this.mappedRows(found), found.config.delta, progress),
          ),
        );
        return;
      case 'IMPORT_PENDING':
        if ([...this.imports.values()].some((other) => other !== found && other.state === 'IMPORTING')) return;
        found.progress = newProgress();
        moveTo(found, 'IMPORTING');
        return;
      case 'IMPORTING': {
        if (found.recordCount > this.inlineRecords) return this.inBackground(found, () => this.importRows(found));
        const progress = (found.progress ??= newProgress());
        const finished = this.store.applyRows(
          this.mappedRows(found),
          found.config.delta,
          progress,
          found.interruptAtLine,
        );
        this.finishImport(found, finished);
        return;
      }
      default:
        return;
    }
  }

  /** The preview is a dry run against a copy-on-write view of the directory. */
  private dryRun(
    found: FakeImport,
    apply: (store: FakeUserStore, progress: ImportProgress) => unknown,
  ): ImportProgress {
    const progress = newProgress();
    const copy = this.store.dryRun();
    apply(copy, progress);
    if (!found.config.delta) copy.offboardMissing(progress);
    return progress;
  }

  private finishPreview(found: FakeImport, progress: ImportProgress): void {
    found.preview = progress.counts;
    found.warnings = progress.warnings;
    moveTo(found, 'PREVIEW_READY');
  }

  private finishImport(found: FakeImport, finished: boolean): void {
    const progress = (found.progress ??= newProgress());
    if (!finished) {
      // Interrupted: the next step resumes from the last successful line.
      delete found.interruptAtLine;
      found.interruptions += 1;
      return;
    }
    if (!found.config.delta) this.store.offboardMissing(progress);
    found.result = progress.counts;
    found.warnings = progress.warnings;
    moveTo(found, 'COMPLETED');
  }

  /** Starts `work` unless it is already running; a step while it runs changes nothing. */
  private inBackground(found: FakeImport, work: () => Promise<void>): void {
    found.running ??= work()
      .catch((err: unknown) => {
        // A fake's own bug: leave the import where it is and say so on the next poll's 500.
        found.reportedState = `FAKE_FAILED: ${(err as Error).message}`;
      })
      .finally(() => delete found.running);
  }

  private async preview(found: FakeImport): Promise<void> {
    const copy = this.store.dryRun();
    const progress = newProgress();
    copy.startRun();
    for await (const row of this.streamedRows(found, 0)) copy.applyNext(row, found.config.delta, progress);
    if (!found.config.delta) copy.offboardMissing(progress);
    if (found.state !== 'CREATING_PREVIEW') return; // cancelled meanwhile
    if (found.cancelAt === found.state) moveTo(found, 'CANCELLED');
    else this.finishPreview(found, progress);
  }

  private async importRows(found: FakeImport): Promise<void> {
    const progress = (found.progress ??= newProgress());
    this.store.startRun();
    let finished = true;
    for await (const row of this.streamedRows(found, progress.nextRow)) {
      if (!this.store.applyNext(row, found.config.delta, progress, found.interruptAtLine)) {
        finished = false;
        break;
      }
    }
    if (found.cancelAt === found.state) moveTo(found, 'CANCELLED');
    else this.finishImport(found, finished);
  }

  /** The mapped rows from `fromRow` on, read from disk, yielding to the event loop every few thousand. */
  private async *streamedRows(found: FakeImport, fromRow: number): AsyncGenerator<MappedRow> {
    const map = this.rowMapper(found);
    let index = 0;
    for await (const record of dataRecords(found.file.path, found.separator)) {
      if (index >= fromRow) yield map(record, index);
      index += 1;
      if (index % ROWS_PER_TURN !== 0) continue;
      await nextTurn();
      await this.backgroundGate;
    }
  }

  private mappedRows(found: FakeImport): MappedRow[] {
    const map = this.rowMapper(found);
    return found.records.map((record, index) => map(record, index));
  }

  private rowMapper(found: FakeImport): (record: string[], index: number) => MappedRow {
    const column = (attribute: string) => {
      const header = found.config.mapping[attribute];
      return header === undefined ? -1 : found.headers.indexOf(header);
    };
    const idColumn = column('externalId') >= 0 ? column('externalId') : column('externalID');
    const statusColumn = column('status');
    const attributeColumns = Object.keys(found.config.mapping)
      .filter((attribute) => !['externalId', 'externalID', 'status'].includes(attribute))
      .map((attribute) => [attribute, column(attribute)] as const);
    return (record, index) => ({
      line: index + 2,
      externalId: (record[idColumn] ?? '').trim(),
      status: statusColumn < 0 ? undefined : (record[statusColumn] ?? '').trim().toLowerCase(),
      attributes: Object.fromEntries(attributeColumns.map(([attribute, at]) => [attribute, record[at] ?? ''])),
    });
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(request: FakeRequest): Promise<FakeResponse> {
    if (request.headers.authorization !== `Basic ${STAFFBASE_TOKEN}`) return fail(401, 'Unauthorized');
    if (this.tokenWithoutAdminRights) return fail(403, 'Forbidden');

    const route = /^\/api\/users\/imports(?:\/([^/]+)(?:\/(config|errors))?)?\/?$/.exec(request.path);
    if (!route) return fail(404, 'Not Found');
    const [, id, sub] = route;
    const method = request.method;

    if (id === undefined) {
      if (method === 'POST') return this.create(request);
      if (method === 'GET') return this.list(request);
      return fail(405, 'Method Not Allowed');
    }
    const found = this.imports.get(id);
    if (!found) return fail(404, STAFFBASE_MESSAGES.notFound);

    if (sub === 'config') {
      if (method === 'GET') return { status: 200, json: found.config };
      if (method === 'PATCH' || method === 'PUT') return this.configure(found, request, method === 'PUT');
      return fail(405, 'Method Not Allowed');
    }
    if (sub === 'errors') {
      if (method !== 'GET') return fail(405, 'Method Not Allowed');
      return {
        status: 200,
        headers: { 'content-type': 'text/csv; charset=utf-8' },
        body: errorsCsv(found.warnings, this.errorReportColumns),
      };
    }
    if (method === 'GET') {
      if (this.autoAdvanceOnPoll) this.advance();
      return { status: 200, json: this.render(found) };
    }
    // [P] Only PATCH changes the state; PUT gave 405.
    if (method === 'PATCH') return this.changeState(found, request);
    return fail(405, 'Method Not Allowed');
  }

  private async create(request: FakeRequest): Promise<FakeResponse> {
    const type = request.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data')) return fail(400, STAFFBASE_MESSAGES.missingFile);
    if (request.multipartError !== undefined) throw new Error('the multipart body could not be parsed');
    const form = request.multipart;
    const file = form?.files.find((part) => part.field === 'file');
    if (!form || !file) return fail(400, STAFFBASE_MESSAGES.missingFile);

    const requested = form.fields.find(([name]) => name === 'separator')?.[1];
    const separator = requested !== undefined && requested !== '' ? requested : ',';
    const checked = await checkImportFile(file.path, separator);
    if ('problem' in checked) return fail(400, STAFFBASE_MESSAGES[checked.problem]);
    const { headers, recordCount } = checked;

    this.sequence += 1;
    const id = `64b0fbf58e05e970${this.sequence.toString(16).padStart(8, '0')}`;
    this.imports.set(id, {
      id,
      createdAt: new Date(Date.UTC(2026, 10, 20, 2, 0, this.sequence)).toISOString(),
      fileName: file.fileName,
      fileSize: file.bytes,
      recordCount,
      state: 'DRAFT',
      stateLog: ['DRAFT'],
      headers,
      file,
      get records() {
        return readDataRecords(file.path, separator);
      },
      separator,
      // What Staffbase "auto-detects" from the file: no mapping yet, and not a delta import.
      config: {
        delta: false,
        encoding: 'UTF-8',
        separator,
        type: 'USER',
        generateRecoveryCodes: false,
        sendMailsNew: false,
        sendMailsPending: false,
        mapping: {},
      },
      configured: false,
      configWrites: 0,
      warnings: [],
      stuck: false,
      interruptions: 0,
    });
    this.importsCreated += 1;
    if (this.failAfterCreate > 0) {
      this.failAfterCreate -= 1;
      return fail(502, 'Bad Gateway');
    }
    if (this.dropLocation > 0) {
      this.dropLocation -= 1;
      return { status: 201 };
    }
    const location = `${this.absoluteLocation ? this.http.url : ''}/api/users/imports/${id}`;
    return { status: 201, headers: { location } };
  }

  private list(request: FakeRequest): FakeResponse {
    const limitText = request.query.get('limit') ?? '20';
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) return fail(400, "Parameter 'limit' is invalid");
    const cursor = request.query.get(this.cursorParam);
    let offset = 0;
    if (cursor !== null) {
      const decoded = /^o(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (!decoded) return fail(400, `Parameter '${this.cursorParam}' is invalid`);
      offset = Number(decoded[1]);
    }
    const newestFirst = [...this.imports.values()].reverse();
    const page = newestFirst.slice(offset, offset + limit);
    const encode = (at: number) => Buffer.from(`o${at}`).toString('base64url');
    return {
      status: 200,
      json: {
        entries: page.map((found) => this.render(found)),
        ...(offset + limit < newestFirst.length ? { nextCursor: encode(offset + limit) } : {}),
        ...(offset > 0 ? { prevCursor: encode(Math.max(0, offset - limit)) } : {}),
      },
    };
  }

  private configure(found: FakeImport, request: FakeRequest, replace: boolean): FakeResponse {
    // [I] Editable before the import starts; editing a finished preview makes it stale (back to DRAFT).
    if (found.state !== 'DRAFT' && found.state !== 'PREVIEW_READY') {
      return fail(409, `The configuration cannot be changed in state ${found.state}`);
    }
    const body = request.json;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(400, STAFFBASE_MESSAGES.body);
    const fields = body as Record<string, unknown>;
    const booleans = ['delta', 'generateRecoveryCodes', 'sendMailsNew', 'sendMailsPending', 'removeAll'];
    if (booleans.some((key) => fields[key] !== undefined && typeof fields[key] !== 'boolean')) {
      return fail(400, STAFFBASE_MESSAGES.body);
    }
    const encoding = fields['encoding'];
    if (encoding !== undefined && (typeof encoding !== 'string' || encoding.toUpperCase() !== 'UTF-8')) {
      return fail(400, STAFFBASE_MESSAGES.body);
    }
    if (fields['type'] !== undefined && fields['type'] !== 'USER') return fail(400, STAFFBASE_MESSAGES.body);
    if (fields['separator'] !== undefined) {
      if (typeof fields['separator'] !== 'string') return fail(400, STAFFBASE_MESSAGES.body);
      if (fields['separator'] !== found.separator) return fail(400, STAFFBASE_MESSAGES.separator);
    }
    const mapping = fields['mapping'];
    if (mapping !== undefined && (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping))) {
      return fail(400, STAFFBASE_MESSAGES.mappingValues);
    }
    // PUT replaces the whole configuration; PATCH changes only the fields it sends (a mapping as a whole).
    const base: FakeImportConfig = replace
      ? {
          ...found.config,
          delta: false,
          generateRecoveryCodes: false,
          sendMailsNew: false,
          sendMailsPending: false,
          mapping: {},
        }
      : found.config;
    const next: FakeImportConfig = {
      ...base,
      ...(fields as Partial<FakeImportConfig>),
    };
    if (next.removeAll === true && next.delta) return fail(400, STAFFBASE_MESSAGES.body);

    const entries = Object.entries(next.mapping);
    if (
      entries.length === 0 ||
      entries.some(([, header]) => typeof header !== 'string' || !found.headers.includes(header))
    ) {
      return fail(400, STAFFBASE_MESSAGES.mappingValues);
    }
    if (next.mapping['externalId'] === undefined && next.mapping['externalID'] === undefined) {
      return fail(400, STAFFBASE_MESSAGES.mappingValues);
    }
    const unknown = entries.some(([attribute]) => {
      if (attribute.startsWith('profile-field:'))
        return !this.profileFields.has(attribute.slice('profile-field:'.length));
      return !ATTRIBUTES.has(attribute);
    });
    if (unknown) return fail(400, STAFFBASE_MESSAGES.mappingKeys);

    found.config = { ...next, mapping: { ...next.mapping } };
    found.configured = true;
    found.configWrites += 1;
    if (found.state === 'PREVIEW_READY') {
      moveTo(found, 'DRAFT');
      delete found.preview;
    }
    return { status: 204 };
  }

  private changeState(found: FakeImport, request: FakeRequest): FakeResponse {
    const body = request.json as { state?: unknown } | undefined;
    const requested = body?.state;
    if (typeof requested !== 'string' || !(FAKE_IMPORT_STATES as readonly string[]).includes(requested)) {
      return fail(400, STAFFBASE_MESSAGES.body);
    }
    // [I] Clients ask for these three; the others are reached by Staffbase itself. CANCELLED is a
    // documented state ("import cancelled and file removed") with no documented call: the fake takes
    // it through this state change, until the import starts.
    const allowedFrom: Partial<Record<string, readonly FakeImportState[]>> = {
      PREVIEW_PENDING: ['DRAFT'],
      IMPORT_PENDING: ['DRAFT', 'PREVIEW_READY'],
      CANCELLED: ['DRAFT', 'PREVIEW_PENDING', 'CREATING_PREVIEW', 'PREVIEW_READY'],
    };
    const from = allowedFrom[requested];
    if (from === undefined) return fail(400, STAFFBASE_MESSAGES.body);
    if (found.state === requested) return { status: 204 }; // asking again is harmless
    // [?] The real code and text for an illegal transition are not public.
    if (!from.includes(found.state)) return fail(409, `Import cannot change from ${found.state} to ${requested}`);
    if (requested === 'CANCELLED') {
      if (this.refuseCancellation) return fail(409, `Import cannot change from ${found.state} to CANCELLED`);
      moveTo(found, 'CANCELLED');
      return { status: 204 };
    }
    if (!found.configured) return fail(400, STAFFBASE_MESSAGES.mappingValues);
    moveTo(found, requested as FakeImportState);
    return { status: 204 };
  }

  private reported(counts: FakeImportCounts): Partial<FakeImportCounts> {
    return Object.fromEntries(
      Object.entries(counts).filter(([name]) => !this.omittedCounts.has(name as keyof FakeImportCounts)),
    );
  }

  private render(found: FakeImport): Record<string, unknown> {
    return {
      id: found.id,
      createdAt: found.createdAt,
      fileName: found.fileName,
      fileSize: found.fileSize,
      recordCount: found.recordCount,
      state: found.reportedState ?? found.state,
      owner: { ownerId: OWNER_ID },
      // [?] Where the real API reports counts is not public.
      ...(found.preview ? { preview: this.reported(found.preview) } : {}),
      ...(found.result ? { result: this.reported(found.result) } : {}),
    };
  }
}

export type { FakeImportCounts, FakeStaffbaseUser };

function moveTo(found: FakeImport, state: FakeImportState): void {
  found.state = state;
  found.stateLog.push(state);
}
