import { z } from 'zod';
import type { HttpAuth } from '../../io/auth';
import { createHttpClient } from '../../io/http';
import type { HttpClient, HttpClientOptions, HttpResponse } from '../../io/http';
import type { SecretResolver } from '../../io/secrets';
import { StreamedForm } from '../../io/streamed-form';
import type { StreamSource } from '../../io/streamed-form';
import { RosterflowError } from '../../core/errors';
import type { StaffbaseTargetConfig } from './config';

/*
 * One exported function per step of Staffbase's (new) CSV Import API (beta), each a single request
 * (`ensureImport` is the one idempotent two-request step). They return ids, states and counts only:
 * never employee data, except `getImportErrors`, whose CSV the caller stores as an artifact.
 *
 * Orchestration, as the workflow is expected to run it:
 *   importId = (await ensureImport(client, upload)).importId   // kept in workflow state at once
 *   configureImport(client, importId, buildImportConfig(config, headers))
 *   requestPreview -> poll getImport until PREVIEW_READY -> safety check on previewCounts
 *   requestImport  -> poll getImport until COMPLETED (or CANCELLED) -> getImportErrors
 *   a run that will not import: cancelImport (before IMPORT_PENDING), so no import is left stranded
 * Before repeating a state change after a lost response, read the state with getImport: a second
 * PREVIEW_PENDING on an import that already moved on is an illegal transition (HTTP 409).
 */

export const STAFFBASE_VENDOR = 'Staffbase';

/** The documented import states (https://developers.staffbase.com/use-cases/check-csv-import-status). */
export const STAFFBASE_IMPORT_STATES = [
  'DRAFT',
  'PREVIEW_PENDING',
  'CREATING_PREVIEW',
  'PREVIEW_READY',
  'IMPORT_PENDING',
  'IMPORTING',
  'COMPLETED',
  'CANCELLED',
] as const;
export type StaffbaseImportState = (typeof STAFFBASE_IMPORT_STATES)[number];

/** States after which nothing changes any more ("once the import is complete, reverting is not possible"). */
export const STAFFBASE_TERMINAL_STATES: readonly StaffbaseImportState[] = ['COMPLETED', 'CANCELLED'];

export function isTerminalState(state: StaffbaseImportState): boolean {
  return STAFFBASE_TERMINAL_STATES.includes(state);
}

/** The counts the fake serves (specs/targets.md 1.8 [I]); Studio documents only added, updated and deleted. */
export const STAFFBASE_COUNT_NAMES = ['created', 'updated', 'deactivated', 'deleted', 'unchanged', 'warnings'] as const;
export type StaffbaseCountName = (typeof STAFFBASE_COUNT_NAMES)[number];

/**
 * Preview or result counts. [?] No public source shows where Staffbase reports them, nor which; the
 * fake serves them as `preview` and `result` on the import. Each count is read on its own: one that
 * is absent or not a whole number is unknown (left out), and never costs the others.
 */
const count = () => z.int().nonnegative().optional().catch(undefined);
const CountsSchema = z.object({
  created: count(),
  updated: count(),
  deactivated: count(),
  deleted: count(),
  unchanged: count(),
  warnings: count(),
} satisfies Record<StaffbaseCountName, unknown>);
export type StaffbaseImportCounts = Partial<Record<StaffbaseCountName, number>>;

const ImportSchema = z.object({
  id: z.string().min(1),
  state: z.string().min(1),
  fileName: z.string().optional(),
  createdAt: z.string().optional(),
  recordCount: z.int().nonnegative().optional(),
  // Undocumented shapes must not fail a poll: a count that does not fit is unknown, a block that is
  // not an object (or has no count that fits) is dropped.
  preview: CountsSchema.optional().catch(undefined).transform(knownCounts),
  result: CountsSchema.optional().catch(undefined).transform(knownCounts),
});

const ImportListSchema = z.object({
  entries: z.array(ImportSchema),
  nextCursor: z.string().nullish(),
  prevCursor: z.string().nullish(),
});

/**
 * An import's progress. A state outside the documented set is not guessed at: it comes back as
 * `UNRECOGNIZED` with the word Staffbase used, and `assertKnownState` turns it into a clear,
 * non-retryable failure. The workflow should fail on it rather than poll on.
 */
export type StaffbaseImportStatus =
  | {
      importId: string;
      state: StaffbaseImportState;
      /** Data rows Staffbase counted in the uploaded file. */
      recordCount?: number;
      previewCounts?: StaffbaseImportCounts;
      importCounts?: StaffbaseImportCounts;
    }
  | { importId: string; state: 'UNRECOGNIZED'; reportedState: string };

export type KnownStaffbaseImportStatus = Exclude<StaffbaseImportStatus, { state: 'UNRECOGNIZED' }>;

export interface StaffbaseUpload {
  /** Unique per run (see `staffbaseImportFileName`): it is how a retried step finds its import again. */
  fileName: string;
  /** The UTF-8 CSV, streamed (reopened if the request is sent again), never read whole. */
  csv: StreamSource;
  /** The file's cell separator; checked by Staffbase at upload. */
  separator?: string;
}

/** The body of `PATCH /config` (the notebook's body, which Staffbase answered with 204). */
export interface StaffbaseImportConfigBody {
  delta: boolean;
  encoding: 'UTF-8';
  separator: string;
  type: 'USER';
  generateRecoveryCodes: boolean;
  sendMailsNew: boolean;
  sendMailsPending: boolean;
  /** Staffbase attribute -> CSV column header. */
  mapping: Record<string, string>;
}

const IMPORT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FILE_NAME = /^[A-Za-z0-9._-]{1,200}$/;
/** [?] The query parameter that takes `nextCursor` is not documented; `cursor` is a guess. */
export const STAFFBASE_CURSOR_PARAM = 'cursor';
/** The page size the check-status guide uses. */
const LIST_PAGE_SIZE = 20;
/** A listing longer than this is a cursor that never ends, not a real tenant. */
const MAX_LIST_PAGES = 500;

/**
 * An HTTP client for one tenant. The token is already base64 and goes out verbatim as
 * `Authorization: Basic <token>`; it is read once, on the first request.
 * Only GET is retried in-process: a repeated POST could create a second import, and a repeated state
 * change can be an illegal transition once the first one took effect.
 */
export function createStaffbaseHttpClient(
  config: Pick<StaffbaseTargetConfig, 'baseUrl' | 'apiToken'>,
  resolveSecret: SecretResolver,
  overrides: Partial<
    Pick<HttpClientOptions, 'timeoutMs' | 'maxAttempts' | 'maxInvalidAttempts' | 'maxRetryAfterMs' | 'backoffLimitMs'>
  > = {},
): HttpClient {
  let token: string | undefined;
  const auth: HttpAuth = {
    async headers() {
      token ??= await resolveSecret(config.apiToken, 'target.apiToken');
      return { authorization: `Basic ${token}` };
    },
  };
  return createHttpClient({
    ...overrides,
    vendor: STAFFBASE_VENDOR,
    baseUrl: config.baseUrl,
    auth,
    side: 'target',
    retryMethods: ['GET'],
  });
}

/** A file name unique to one run, e.g. `rosterflow-people-to-staffbase-<runId>.csv`. */
export function staffbaseImportFileName(syncId: string, runId: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${`rosterflow-${safe(syncId)}-${safe(runId)}`.slice(0, 196)}.csv`;
}

/**
 * Uploads the file as a new import in state DRAFT and returns its id.
 * https://developers.staffbase.com/guides/get-started-with-csv-import (POST /api/users/imports)
 * Never retried here: after a failure, `findImportByFileName` tells whether Staffbase created it.
 */
export async function createImport(client: HttpClient, upload: StaffbaseUpload): Promise<string> {
  checkFileName(upload.fileName);
  const form = new StreamedForm();
  form.appendFile('file', upload.fileName, upload.csv);
  // [P] The practitioner sent these; the upload errors "invalid UTF8 format" and "invalid separator
  // selected" suggest Staffbase reads them at upload.
  form.append('textEncoding', 'UTF-8');
  form.append('separator', upload.separator ?? ',');
  const response = await client.request('POST', 'users/imports', { multipart: form });
  if (isHtml(response)) {
    // A sign-in page or proxy in front of the API: nothing says whether an import exists.
    throw new RosterflowError(
      'TargetInvalidResponse',
      `${STAFFBASE_VENDOR}: POST /api/users/imports answered with an HTML page, not the API (HTTP ${response.status}); ` +
        'check target.baseUrl and any proxy in front of Staffbase',
      { retryable: false, httpStatus: response.status },
    );
  }
  const importId = importIdFromLocation(response);
  if (importId === undefined) {
    throw new RosterflowError(
      'TargetInvalidResponse',
      `${STAFFBASE_VENDOR}: POST /api/users/imports answered HTTP ${response.status} without a Location naming the import; ` +
        'look it up by file name before uploading again',
      { retryable: false },
    );
  }
  return importId;
}

/**
 * The id of the newest import (not cancelled) whose file has this name, following the list's cursors.
 * https://developers.staffbase.com/use-cases/check-csv-import-status (GET /api/users/imports)
 */
export async function findImportByFileName(client: HttpClient, fileName: string): Promise<string | undefined> {
  checkFileName(fileName);
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 1; page <= MAX_LIST_PAGES; page += 1) {
    // getJson: an answer that is not JSON (a proxy page, a cut-off body) is retried, then fails clearly.
    const list = await client.getJson('users/imports', ImportListSchema, {
      searchParams: { limit: LIST_PAGE_SIZE, [STAFFBASE_CURSOR_PARAM]: cursor },
    });
    const match = list.entries
      .filter((entry) => entry.fileName === fileName && entry.state !== 'CANCELLED')
      .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
    if (match) return checkImportId(match.id, 'GET /api/users/imports');
    const next = list.nextCursor ?? undefined;
    if (!next || list.entries.length === 0) return undefined;
    if (seen.has(next)) break;
    seen.add(next);
    cursor = next;
  }
  throw new RosterflowError(
    'TargetInvalidResponse',
    `${STAFFBASE_VENDOR}: GET /api/users/imports kept returning cursors (a repeated cursor or more than ${MAX_LIST_PAGES} pages)`,
    { retryable: false },
  );
}

/**
 * Creating made idempotent: the import this run already uploaded, or a new one. A crash between the
 * upload and recording its id therefore never leaves a second import behind.
 */
export async function ensureImport(
  client: HttpClient,
  upload: StaffbaseUpload,
): Promise<{ importId: string; created: boolean }> {
  const existing = await findImportByFileName(client, upload.fileName);
  if (existing !== undefined) return { importId: existing, created: false };
  return { importId: await createImport(client, upload), created: true };
}

/**
 * The `/config` body: each mapped attribute -> its column header (delta mode adds `status` -> the
 * status column), `delta`, and the options. Fails when a mapped header is not in the file, which
 * Staffbase would answer with "Parameter 'mapping_values' is invalid".
 */
export function buildImportConfig(
  config: StaffbaseTargetConfig,
  headers: readonly string[],
): StaffbaseImportConfigBody {
  const mapping: Record<string, string> = {};
  for (const column of config.columns) mapping[column.attribute] = column.header;
  if (config.mode === 'delta') mapping['status'] = config.statusHeader;
  const inFile = new Set(headers);
  const missing = Object.values(mapping).filter((header) => !inFile.has(header));
  if (missing.length > 0) {
    throw new RosterflowError(
      'InvalidConfig',
      `target: the Staffbase mapping names columns the file does not have: ${missing.join(', ')}`,
    );
  }
  return {
    delta: config.mode === 'delta',
    encoding: 'UTF-8',
    separator: config.separator,
    type: 'USER',
    generateRecoveryCodes: config.generateRecoveryCodes,
    sendMailsNew: config.sendMailsNew,
    sendMailsPending: config.sendMailsPending,
    mapping,
  };
}

/**
 * Sets the mapping and options. Idempotent: the same body may be sent again.
 * https://developers.staffbase.com/guides/get-started-with-csv-import (PATCH /api/users/imports/{importId}/config;
 * older pages say PUT, the current ones and the practitioner's working call PATCH)
 */
export async function configureImport(
  client: HttpClient,
  importId: string,
  body: StaffbaseImportConfigBody,
): Promise<void> {
  await client.request('PATCH', `users/imports/${checkImportId(importId)}/config`, { json: body });
}

/**
 * Asks for a preview (DRAFT -> PREVIEW_PENDING).
 * https://developers.staffbase.com/guides/get-started-with-csv-import (PATCH /api/users/imports/{importId})
 */
export async function requestPreview(client: HttpClient, importId: string): Promise<void> {
  await changeState(client, importId, 'PREVIEW_PENDING');
}

/**
 * Starts the import (DRAFT or PREVIEW_READY -> IMPORT_PENDING).
 * https://developers.staffbase.com/guides/get-started-with-csv-import (PATCH /api/users/imports/{importId})
 */
export async function requestImport(client: HttpClient, importId: string): Promise<void> {
  await changeState(client, importId, 'IMPORT_PENDING');
}

/**
 * Cancels an import that has not started importing (-> CANCELLED, "import cancelled and file removed").
 * [I] The docs list CANCELLED among the states but name no call that cancels; this is the documented
 * state-change call (the one that sets PREVIEW_PENDING and IMPORT_PENDING) with that documented state.
 * https://developers.staffbase.com/use-cases/check-csv-import-status (PATCH /api/users/imports/{importId})
 */
export async function cancelImport(client: HttpClient, importId: string): Promise<void> {
  await changeState(client, importId, 'CANCELLED');
}

async function changeState(client: HttpClient, importId: string, state: StaffbaseImportState): Promise<void> {
  await client.request('PATCH', `users/imports/${checkImportId(importId)}`, { json: { state } });
}

/**
 * The import's state, row count and, when Staffbase reports them, preview and result counts.
 * https://developers.staffbase.com/use-cases/check-csv-import-status (GET /api/users/imports/{importId})
 */
export async function getImport(client: HttpClient, importId: string): Promise<StaffbaseImportStatus> {
  const path = `users/imports/${checkImportId(importId)}`;
  const found = await client.getJson(path, ImportSchema);
  if (!isKnownState(found.state)) {
    return { importId, state: 'UNRECOGNIZED', reportedState: found.state.replace(/[^A-Za-z0-9_]/g, '').slice(0, 40) };
  }
  return {
    importId,
    state: found.state,
    ...(found.recordCount === undefined ? {} : { recordCount: found.recordCount }),
    ...(found.preview === undefined ? {} : { previewCounts: found.preview }),
    ...(found.result === undefined ? {} : { importCounts: found.result }),
  };
}

/** Fails clearly, and for good, on a state rosterflow does not know. */
export function assertKnownState(status: StaffbaseImportStatus): asserts status is KnownStaffbaseImportStatus {
  if (status.state !== 'UNRECOGNIZED') return;
  throw new RosterflowError(
    'TargetInvalidResponse',
    `${STAFFBASE_VENDOR}: import ${status.importId} reports the state "${status.reportedState}", which is not one of ` +
      `${STAFFBASE_IMPORT_STATES.join(', ')}; check the import in Staffbase Studio`,
    { retryable: false },
  );
}

/**
 * The rows that failed, as Staffbase's CSV (empty when none). It may hold employee data: store it as an
 * artifact, never return it to the workflow.
 * [P] GET /api/users/imports/{importId}/errors (not in the public docs; seen in a practitioner's notebook)
 */
export async function getImportErrors(client: HttpClient, importId: string): Promise<string> {
  const path = `users/imports/${checkImportId(importId)}/errors`;
  const response = await client.request('GET', path, {
    headers: { accept: 'text/csv, text/plain;q=0.9, */*;q=0.1' },
  });
  // A sign-in or proxy page must not be stored as the error report (nor counted as error rows).
  if (isHtml(response)) {
    throw new RosterflowError(
      'TargetInvalidResponse',
      `${STAFFBASE_VENDOR}: GET /api/${path} answered with an HTML page instead of the error report (HTTP ${response.status})`,
      { retryable: false, httpStatus: response.status },
    );
  }
  return response.text;
}

/** The counts that were reported (unknown ones left out), or undefined when none was. */
function knownCounts(counts: Partial<Record<StaffbaseCountName, number | undefined>> | undefined) {
  if (counts === undefined) return undefined;
  const known = Object.entries(counts).filter((entry): entry is [StaffbaseCountName, number] => entry[1] !== undefined);
  return known.length === 0 ? undefined : (Object.fromEntries(known) as StaffbaseImportCounts);
}

function isHtml(response: HttpResponse): boolean {
  const header = response.headers['content-type'];
  return /^\s*text\/html\b/i.test((Array.isArray(header) ? header[0] : header) ?? '');
}

function isKnownState(state: string): state is StaffbaseImportState {
  return (STAFFBASE_IMPORT_STATES as readonly string[]).includes(state);
}

/** The last path segment of `Location` (absolute or relative), e.g. `/api/users/imports/64b0fbf5...`. */
function importIdFromLocation(response: HttpResponse): string | undefined {
  const header = response.headers['location'];
  const location = Array.isArray(header) ? header[0] : header;
  if (!location) return undefined;
  const segment = new URL(location, 'https://staffbase.invalid').pathname.split('/').filter(Boolean).pop();
  return segment !== undefined && IMPORT_ID.test(segment) ? segment : undefined;
}

function checkImportId(importId: string, from?: string): string {
  if (IMPORT_ID.test(importId)) return importId;
  throw new RosterflowError(
    from === undefined ? 'InvalidInput' : 'TargetInvalidResponse',
    `${STAFFBASE_VENDOR}: ${from === undefined ? 'an import id' : `${from} returned an import id that`} must be letters, digits, - or _`,
    { retryable: false },
  );
}

function checkFileName(fileName: string): void {
  if (FILE_NAME.test(fileName)) return;
  throw new RosterflowError(
    'InvalidInput',
    `${STAFFBASE_VENDOR}: an import file name must be 1-200 letters, digits, '.', '-' or '_'`,
  );
}
