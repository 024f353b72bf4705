import { createReadStream, readFileSync } from 'node:fs';
import { parse } from 'csv-parse';
import { FakeHttpServer, basicCredentials } from '../support/fake-http';
import type { FakeRequest, FakeResponse } from '../support/fake-http';
import type { ReceivedFile } from '../support/multipart';
import { UploadApplication, emptyOrganization, readHeader, readRow, tagContributor, tagsByCategory } from './tag-store';
import type { AllstacksFlagName, ContributorSnapshot, Organization, ReconcileScope, RosterRow } from './tag-store';

export const ALLSTACKS_USERNAME = 'rosterflow-api';
export const ALLSTACKS_PASSWORD = 'allstacks-fake-password-3c9e';
export const ALLSTACKS_ORG_ID = '4242';
export const ALLSTACKS_WINDOW_SECONDS = 300;

const UPLOAD_PATH = /^\/api\/v1\/organization\/([^/]+)\/service_user_tag_hierarchy\/upload_employee_tags$/;
const FLAG_NAMES: readonly AllstacksFlagName[] = [
  'reconcile_tags',
  'enable_users',
  'disable_users',
  'delete_tag_categories',
  'delete_tags',
];
/** The fake's clock starts here and only moves when a test calls `advance`. */
const CLOCK_START = Date.parse('2026-11-20T02:00:00Z');

/** An upload that got past auth and the rate limit and had a file, as the fake received it. */
export interface RecordedUpload {
  organizationId: string;
  at: number;
  /** Wall-clock time of arrival, for tests of real spacing between uploads. */
  receivedAt: number;
  fileName: string;
  /** The file as text, read from where the fake keeps it on disk (until it closes). */
  readonly csv: string;
  bytes: number;
  sha256: string;
  flags: Record<AllstacksFlagName, boolean>;
  /** False when the file was malformed: nothing was applied and a failure notice was "emailed". */
  applied: boolean;
}

/** What Allstacks would email the tenant's admins: job completed, or why the file failed. */
export interface EmailNotice {
  organizationId: string;
  at: number;
  kind: 'completed' | 'failed';
  message: string;
}

/**
 * A fake of Allstacks' roster CSV upload as specs/targets.md section 2 and the vendor page describe it.
 * Where the docs are silent, it answers like the Django REST framework the API's style suggests
 * (`{"detail": ...}` bodies, DRF's own messages). Checks run in DRF's order: authentication, then
 * permission, then the organisation, then the throttle, then the form; so a request rejected for its
 * form still used up the organisation's window, while a 429 did not.
 *
 * Processing: the real service answers at once and works afterwards; the fake applies the file before
 * answering, which no client can tell apart. A malformed file is still answered 2xx (the vendor says
 * failures arrive by email): nothing is applied and a `failed` notice is recorded instead.
 */
export class AllstacksFake {
  credentials = { username: ALLSTACKS_USERNAME, password: ALLSTACKS_PASSWORD };
  /** An authenticated user without the right to manage contributors: every call is 403. */
  forbidden = false;
  /** Whether a 429 says how long to wait; the vendor page does not say it does. */
  sendRetryAfter = true;
  /** The status of an accepted upload (undocumented; any 2xx). */
  acceptStatus = 200;
  /** Which tags reconcile_tags strips from a listed contributor; see tag-store.ts. */
  reconcileScope: ReconcileScope = 'fileCategories';
  readonly uploads: RecordedUpload[] = [];
  readonly notices: EmailNotice[] = [];
  http!: FakeHttpServer;

  private manualClockMs = CLOCK_START;
  /** Run the rate-limit window on wall-clock time (for workflow tests that really wait) instead of `advance`. */
  realClock = false;
  /** The vendor's window: one upload per organisation per this many seconds. */
  windowSeconds = ALLSTACKS_WINDOW_SECONDS;

  private get clockMs(): number {
    return this.realClock ? Date.now() : this.manualClockMs;
  }
  private readonly organizations = new Map<string, Organization>();
  /** When each organisation's current window opened. */
  private readonly windowOpenedAt = new Map<string, number>();

  static async start(organizationIds: readonly string[] = [ALLSTACKS_ORG_ID]): Promise<AllstacksFake> {
    const fake = new AllstacksFake();
    for (const id of organizationIds) fake.addOrganization(id);
    fake.http = await FakeHttpServer.start((request) => fake.handle(request));
    return fake;
  }

  get baseUrl(): string {
    return this.http.url;
  }

  now(): number {
    return this.clockMs;
  }

  /** Moves the fake's clock (and so the rate-limit window) forward. */
  advance(ms: number): void {
    this.manualClockMs += ms;
  }

  addOrganization(id: string): void {
    this.organizations.set(id, emptyOrganization());
  }

  /** A contributor Allstacks already knows (from a tool integration or an earlier upload). */
  seedContributor(
    organizationId: string,
    email: string,
    contributor: { enabled?: boolean; tags?: Record<string, string[]> } = {},
  ): void {
    const org = this.organization(organizationId);
    const seeded = { email, enabled: contributor.enabled ?? true, tags: [], listedIn: 0 };
    for (const [category, list] of Object.entries(contributor.tags ?? {})) {
      for (const tag of list) tagContributor(org, seeded, category, tag);
    }
    org.contributors.set(email.toLowerCase(), seeded);
  }

  contributors(organizationId: string): ContributorSnapshot[] {
    return [...this.organization(organizationId).contributors.values()]
      .map((contributor) => ({
        email: contributor.email,
        enabled: contributor.enabled,
        tags: Object.fromEntries(tagsByCategory(contributor)),
      }))
      .sort((a, b) => a.email.localeCompare(b.email));
  }

  contributor(organizationId: string, email: string): ContributorSnapshot | undefined {
    return this.contributors(organizationId).find((entry) => entry.email.toLowerCase() === email.toLowerCase());
  }

  /** Category -> its tags, as the Tags tab lists them. */
  categories(organizationId: string): Record<string, string[]> {
    const org = this.organization(organizationId);
    return Object.fromEntries([...org.categories].map(([category, tags]) => [category, [...tags].sort()]));
  }

  /** Every request to the upload endpoint, faults and rejections included. */
  uploadAttempts(): number {
    return this.http.requestsTo(UPLOAD_PATH).length;
  }

  /** Uploads repeating an earlier one for the same organisation byte for byte, flags included. */
  duplicateUploads(): RecordedUpload[] {
    const seen = new Set<string>();
    return this.uploads.filter((upload) => {
      const key = `${upload.organizationId}|${upload.sha256}|${JSON.stringify(upload.flags)}`;
      const repeated = seen.has(key);
      seen.add(key);
      return repeated;
    });
  }

  /** The next `times` uploads fail before reaching the service: 500 is Django's bare HTML page. */
  failNextUploads(times: number, status = 503, delayMs?: number): void {
    const response: FakeResponse =
      status === 500
        ? { status, headers: { 'content-type': 'text/html' }, body: '<h1>Server Error (500)</h1>' }
        : { status, json: { detail: 'Service temporarily unavailable, try again later.' } };
    this.http.injectFault({ times, path: UPLOAD_PATH, response, ...(delayMs === undefined ? {} : { delayMs }) });
  }

  /** The next `times` requests are refused as if the password had just been rotated. */
  unauthorizedNext(times: number): void {
    this.http.injectFault({ times, path: UPLOAD_PATH, response: unauthorized('Invalid username/password.') });
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private organization(id: string): Organization {
    const org = this.organizations.get(id);
    if (!org) throw new Error(`the fake has no organization ${id}`);
    return org;
  }

  private async handle(request: FakeRequest): Promise<FakeResponse> {
    const credentials = basicCredentials(request);
    if (!credentials) return unauthorized('Authentication credentials were not provided.');
    if (credentials.user !== this.credentials.username || credentials.password !== this.credentials.password) {
      return unauthorized('Invalid username/password.');
    }
    if (this.forbidden) return { status: 403, json: { detail: 'You do not have permission to perform this action.' } };
    const organizationId = UPLOAD_PATH.exec(request.path)?.[1];
    const org = organizationId === undefined ? undefined : this.organizations.get(decodeURIComponent(organizationId));
    if (organizationId === undefined || !org) return { status: 404, json: { detail: 'Not found.' } };
    if (request.method !== 'POST') return { status: 405, json: { detail: `Method "${request.method}" not allowed.` } };

    const orgId = decodeURIComponent(organizationId);
    const throttled = this.throttle(orgId);
    if (throttled) return throttled;

    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.startsWith('multipart/form-data')) {
      return { status: 415, json: { detail: `Unsupported media type "${contentType}" in request.` } };
    }
    if (request.multipartError !== undefined) throw new Error('the multipart body could not be parsed');
    const form = request.multipart ?? { fields: [], files: [] };
    const field = (name: string) => form.fields.find(([key]) => key === name)?.[1] ?? null;
    const file = form.files.find((part) => part.field === 'file');
    if (!file && field('file') !== null) {
      return badRequest('file', 'The submitted data was not a file. Check the encoding type on the form.');
    }
    if (!file) return badRequest('file', 'No file was submitted.');
    if (file.bytes === 0) return badRequest('file', 'The submitted file is empty.');

    const flags = {} as Record<AllstacksFlagName, boolean>;
    for (const name of FLAG_NAMES) {
      const value = field(name);
      // DRF reads an absent boolean form field as false (an unticked checkbox).
      if (value === null || value === 'false') flags[name] = false;
      else if (value === 'true') flags[name] = true;
      else return badRequest(name, 'Must be a valid boolean.');
    }

    const upload: RecordedUpload = {
      organizationId: orgId,
      at: this.clockMs,
      receivedAt: Date.now(),
      fileName: file.fileName,
      // Read as bytes: a byte-order mark stays, and Allstacks would see it as part of the header.
      get csv() {
        return readFileSync(file.path, 'utf8');
      },
      bytes: file.bytes,
      sha256: file.sha256,
      flags,
      applied: false,
    };
    this.uploads.push(upload);
    // A malformed file applies nothing: it is checked in one streamed pass, then applied in a second.
    const checked = await checkRoster(file);
    if (!Array.isArray(checked)) {
      this.notices.push({ organizationId: orgId, at: this.clockMs, kind: 'failed', message: checked.problem });
    } else {
      const application = new UploadApplication(org, checked, flags, this.reconcileScope);
      let rows = 0;
      for await (const row of rosterRows(file, checked)) {
        application.row(row);
        rows += 1;
      }
      application.finish();
      upload.applied = true;
      this.notices.push({
        organizationId: orgId,
        at: this.clockMs,
        kind: 'completed',
        message: `Roster upload completed: ${rows} contributors`,
      });
    }
    return { status: this.acceptStatus, json: { detail: 'Upload received. You will be notified by email.' } };
  }

  /** One upload per organisation per window; the 429 itself does not move the window. */
  private throttle(orgId: string): FakeResponse | undefined {
    const openedAt = this.windowOpenedAt.get(orgId);
    const waitMs = openedAt === undefined ? 0 : openedAt + this.windowSeconds * 1000 - this.clockMs;
    if (waitMs <= 0) {
      this.windowOpenedAt.set(orgId, this.clockMs);
      return undefined;
    }
    const seconds = Math.ceil(waitMs / 1000);
    return {
      status: 429,
      ...(this.sendRetryAfter ? { headers: { 'retry-after': String(seconds) } } : {}),
      json: { detail: `Request was throttled. Expected available in ${seconds} seconds.` },
    };
  }
}

/** The file's records as they are read from disk (no BOM stripping: a byte-order mark makes the first header something other than `Email`). */
function records(file: ReceivedFile): AsyncIterable<string[]> {
  return createReadStream(file.path).pipe(parse({ bom: false, skip_empty_lines: true }));
}

/** The file's tag categories when every row is readable, or why Allstacks would email that it failed. */
async function checkRoster(file: ReceivedFile): Promise<string[] | { problem: string }> {
  let categories: string[] | { problem: string } | undefined;
  let index = 0;
  try {
    for await (const record of records(file)) {
      if (categories === undefined) {
        categories = readHeader(record);
        if (!Array.isArray(categories)) return categories;
        continue;
      }
      const row = readRow(record, index, categories as string[]);
      if ('problem' in row) return row;
      index += 1;
    }
  } catch (err) {
    // Ragged rows, a broken quote.
    return { problem: `The CSV file could not be read: ${(err as Error).message.split('\n')[0] ?? ''}` };
  }
  return categories ?? readHeader(undefined);
}

/** The data rows of a file `checkRoster` accepted, read again from disk. */
async function* rosterRows(file: ReceivedFile, categories: readonly string[]): AsyncGenerator<RosterRow> {
  let index = -1;
  for await (const record of records(file)) {
    if (index >= 0) yield readRow(record, index, categories) as RosterRow;
    index += 1;
  }
}

function unauthorized(detail: string): FakeResponse {
  return { status: 401, headers: { 'www-authenticate': 'Basic realm="api"' }, json: { detail } };
}

function badRequest(field: string, message: string): FakeResponse {
  return { status: 400, json: { [field]: [message] } };
}
