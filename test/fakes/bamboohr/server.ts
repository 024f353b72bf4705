import { Buffer } from 'node:buffer';
import type { ConformanceFake } from '../../support/source-conformance';
import { FakeHttpServer, basicCredentials } from '../support/fake-http';
import type { FakeRequest, FakeResponse } from '../support/fake-http';
import { syntheticPeople } from '../support/people';
import type { Person } from '../support/people';

export const BAMBOOHR_COMPANY = 'acme';
export const BAMBOOHR_API_KEY = 'bamboohr-fake-key-91c2e7d4';

/** `/api/v1/...` (company host) or `/api/gateway.php/{company}/v1/...` (legacy gateway host). */
const ROUTE = /^\/api(?:\/gateway\.php\/([^/]+))?\/v1\/(.+?)\/?$/;
const LISTING_PATH = /\/v1\/(?:employees|employees\/directory|reports\/custom)$/;
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 50;
const MAX_REPORT_FIELDS = 400;
/** The formats a custom report's `Accept` header may name when `format` is absent; anything else is 404. */
const REPORT_ACCEPT = ['application/json', 'text/xml', 'text/csv', 'application/pdf', 'application/vnd.ms-excel'];
/** What the new list endpoint returns besides the default fields when asked through `fields=`. */
const CONTACT_FIELDS = new Set(['workEmail', 'homeEmail', 'bestEmail', 'middleName', 'workPhone', 'mobilePhone']);
const SORTABLE = new Set(['employeeId', 'firstName', 'lastName', 'preferredName', 'jobTitleName', 'status']);

/** What the handler answered (rate-limit faults excluded), to prove a refused request was never sent. */
export interface FakeAnswer {
  method: string;
  path: string;
  status: number;
}

/**
 * A fake of BambooHR as specs/sources.md section 1 describes it, under both path prefixes:
 * - Basic auth with the API key as user and any password; 401 otherwise.
 * - `GET employees`: cursor paging (`page[limit]` default 50, max 100, `page[after]`), `sort`,
 *   `{data, meta: {total, page: {limit, nextCursor, prevCursor}}, _links}`, restricted fields as null
 *   plus `_restrictedFields`, errors as JSON `{code, message}` (`BadPage` for a bad or stale cursor).
 * - `POST reports/custom`: Content-Type must be exactly application/json (else 400 Malformed XML),
 *   `format` or an exact Accept, at most 400 fields, `filters.employeeIds`, every value a string,
 *   `""` (or `0000-00-00` for dates) when empty, unpermitted or unknown fields silently left out,
 *   supervisor as "Last, First", `id` different from `employeeNumber`.
 * - `GET employees/directory`: only current employees unless `onlyCurrent=false`, 403 when directory
 *   sharing is off, 404 when the directory is empty, XML unless JSON is accepted.
 * - Legacy endpoints put their error text in `X-BambooHR-Error-Message`.
 * - Rate limiting answers 503 (today) or 429 (from 2026-09-16), both with `Retry-After`.
 * Status words: active and on-leave people are `Active`, leavers and future hires `Inactive`; future
 * hires get a hire date next year, leavers the employment status `Terminated`.
 */
export class BamboohrFake implements ConformanceFake {
  people: Person[] = syntheticPeople(20);
  /** 503 is BambooHR's throttling answer today; 429 from 2026-09-16. */
  rateLimitStatus: 503 | 429 = 503;
  /** [?] whether an over-cap `page[limit]` is refused or clamped: both are modelled. */
  overCapPageLimit: 'reject' | 'clamp' = 'reject';
  /** Older accounts send `0000-00-00` for empty dates, newer ones `""`. */
  emptyDate: '' | '0000-00-00' = '';
  /** Fields the API user may not read: null in the list, left out of the report and directory. */
  hiddenFields = new Set<string>();
  directorySharing = true;
  /** People the company leaves out of the directory. */
  notInDirectory = new Set<string>();
  /** Custom field values per person id, keyed by field id. */
  custom = new Map<string, Record<string, string>>();
  readonly answers: FakeAnswer[] = [];

  http!: FakeHttpServer;

  static async start(): Promise<BamboohrFake> {
    const fake = new BamboohrFake();
    fake.http = await FakeHttpServer.start((request) => {
      const response = fake.handle(request);
      fake.answers.push({ method: request.method, path: request.path, status: response.status });
      return response;
    });
    return fake;
  }

  /** What a config's `baseUrl` names: the fake stands in for the host, the path prefix is the connector's. */
  get origin(): string {
    return this.http.url;
  }

  seed(count: number): void {
    this.people = syntheticPeople(count);
  }

  rateLimitNext(times: number): void {
    const status = this.rateLimitStatus;
    this.http.injectFault({
      times,
      path: LISTING_PATH,
      response:
        status === 429
          ? { status, headers: { 'retry-after': '1' }, json: { code: 'TooManyRequests', message: 'Too many requests' } }
          : { status, headers: { 'retry-after': '1', 'content-type': 'text/html' }, body: 'Service Unavailable' },
    });
  }

  listingRequests(): number {
    return this.http.requestsTo(LISTING_PATH).length;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** The hire date BambooHR holds: a future hire (pending) starts next year. */
  hireDateOf(person: Person): string {
    if (person.status !== 'pending') return person.hireDate;
    return `${new Date().getUTCFullYear() + 1}${person.hireDate.slice(4)}`;
  }

  private handle(request: FakeRequest): FakeResponse {
    const route = ROUTE.exec(request.path);
    if (!route || (route[1] !== undefined && route[1] !== BAMBOOHR_COMPANY)) return legacyError(404, 'Not found');
    const endpoint = route[2] ?? '';
    const credentials = basicCredentials(request);
    if (credentials?.user !== BAMBOOHR_API_KEY || credentials.password === '') {
      return endpoint === 'employees'
        ? { status: 401, json: { code: 'Unauthorized', message: 'Invalid credentials' } }
        : legacyError(401, 'Invalid API key');
    }
    if (request.method === 'GET' && endpoint === 'employees') return this.list(request);
    if (request.method === 'GET' && endpoint === 'employees/directory') return this.directory(request);
    if (request.method === 'POST' && endpoint === 'reports/custom') return this.report(request);
    return legacyError(404, 'Not found');
  }

  // GET /api/v1/employees
  private list(request: FakeRequest): FakeResponse {
    const limitParam = request.query.get('page[limit]');
    let limit = limitParam === null ? DEFAULT_LIMIT : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1) return badRequest('BadPage', 'page[limit] must be a positive integer');
    if (limit > MAX_LIMIT) {
      if (this.overCapPageLimit === 'reject') return badRequest('BadPage', `page[limit] must be at most ${MAX_LIMIT}`);
      limit = MAX_LIMIT;
    }
    if (request.query.has('page[before]')) return badRequest('BadPage', 'the fake pages forward only');

    const sort = request.query.get('sort') ?? '';
    const sortField = sort.replace(/^-/, '');
    if (sort && !SORTABLE.has(sortField)) return badRequest('InvalidSort', `cannot sort by ${sortField}`);
    const fields = (request.query.get('fields') ?? '').split(',').filter((field) => CONTACT_FIELDS.has(field));
    const rows = this.people.map((person) => this.listItem(person, fields));
    // [?] BambooHR's order without `sort`; the fake uses last names so only an explicit sort is stable by id.
    const key = sortField || 'lastName';
    rows.sort((a, b) => compare(a[key], b[key]) * (sort.startsWith('-') ? -1 : 1));

    let start = 0;
    const after = request.query.get('page[after]');
    if (after !== null) {
      const boundary = decodeBoundary(after);
      const index = rows.findIndex((row) => row['employeeId'] === boundary);
      // Also what BambooHR answers when the boundary employee changed or left since the cursor was issued.
      if (index < 0) return badRequest('BadPage', 'The page cursor is not valid');
      start = index + 1;
    }
    const data = rows.slice(start, start + limit);
    const last = data.at(-1);
    const nextCursor = last && start + limit < rows.length ? encodeBoundary(String(last['employeeId'])) : null;
    const prevCursor = start > 0 && data[0] ? encodeBoundary(String(data[0]['employeeId'])) : null;
    const self = `${this.origin}${request.path}`;
    return {
      status: 200,
      json: {
        data,
        meta: { total: rows.length, page: { limit, nextCursor, prevCursor } },
        _links: {
          self: { href: self },
          ...(nextCursor ? { next: { href: `${self}?page[limit]=${limit}&page[after]=${nextCursor}` } } : {}),
          ...(prevCursor ? { prev: { href: `${self}?page[limit]=${limit}&page[before]=${prevCursor}` } } : {}),
        },
      },
    };
  }

  private listItem(person: Person, fields: string[]): Record<string, unknown> {
    const values: Record<string, unknown> = {
      employeeId: person.id,
      firstName: person.firstName,
      lastName: person.lastName,
      preferredName: person.preferredName ?? null,
      photoUrl: `https://images.bamboohr.example/${person.id}.jpg`,
      jobTitleName: person.jobTitle,
      status: statusWord(person),
    };
    for (const field of fields) values[field] = field === 'workEmail' ? person.email : null;
    const restricted = Object.keys(values).filter((field) => field !== 'employeeId' && this.hiddenFields.has(field));
    for (const field of restricted) values[field] = null;
    return restricted.length > 0 ? { ...values, _restrictedFields: restricted } : values;
  }

  // POST /api/v1/reports/custom
  private report(request: FakeRequest): FakeResponse {
    // With anything but exactly application/json (a charset included) BambooHR reads the body as XML.
    if (request.headers['content-type'] !== 'application/json') return legacyError(400, 'Malformed XML');
    const format = request.query.get('format');
    if (format === null) {
      const accept = request.headers.accept ?? '';
      if (!REPORT_ACCEPT.includes(accept)) return legacyError(404, 'Not found');
      if (accept !== 'application/json') return legacyError(400, 'The fake renders JSON reports only');
    } else if (format.toUpperCase() !== 'JSON') {
      return legacyError(400, 'The fake renders JSON reports only');
    }
    const body = request.json as { title?: unknown; fields?: unknown; filters?: { employeeIds?: unknown } } | undefined;
    const fields = body?.fields;
    if (!Array.isArray(fields) || fields.length === 0 || fields.some((field) => typeof field !== 'string')) {
      return legacyError(400, 'fields must be a list of field ids');
    }
    if (fields.length > MAX_REPORT_FIELDS)
      return legacyError(400, `A report takes at most ${MAX_REPORT_FIELDS} fields`);
    const wanted = body?.filters?.employeeIds;
    const ids = Array.isArray(wanted) ? new Set(wanted.map(String)) : undefined;
    // onlyCurrent (default true) hides future-dated values [I]: a future hire's start date among them.
    const onlyCurrent = request.query.get('onlyCurrent') !== 'false';

    const employees = this.people
      .filter((person) => !ids || ids.has(person.id))
      .map((person) => {
        const values = this.reportValues(person, onlyCurrent);
        const row: Record<string, string> = { id: person.id };
        for (const field of fields as string[]) {
          const value = values[field];
          if (value !== undefined && field !== 'id' && !this.hiddenFields.has(field)) row[field] = value;
        }
        return row;
      });
    const known = this.reportValues(this.people[0], onlyCurrent);
    const returned = (fields as string[]).filter((field) => field in known && !this.hiddenFields.has(field));
    return {
      status: 200,
      json: {
        title: typeof body?.title === 'string' ? body.title : 'Report',
        fields: returned.map((field) => ({ id: field, type: /Date$/.test(field) ? 'date' : 'text', name: field })),
        employees,
      },
    };
  }

  /** Every field the fake's report knows, as strings. A custom field is known once any person has it. */
  private reportValues(person: Person | undefined, onlyCurrent: boolean): Record<string, string> {
    if (!person) return {};
    const manager = this.people.find((candidate) => candidate.id === person.managerId);
    const futureHire = person.status === 'pending';
    const hireDate = futureHire && onlyCurrent ? this.emptyDate : this.hireDateOf(person);
    const customIds = new Set([...this.custom.values()].flatMap((values) => Object.keys(values)));
    return {
      ...Object.fromEntries([...customIds].map((field) => [field, this.custom.get(person.id)?.[field] ?? ''])),
      id: person.id,
      employeeNumber: person.employeeNumber,
      firstName: person.firstName,
      lastName: person.lastName,
      preferredName: person.preferredName ?? '',
      displayName: `${person.preferredName ?? person.firstName} ${person.lastName}`,
      workEmail: person.email,
      homeEmail: '',
      status: statusWord(person),
      employmentHistoryStatus:
        person.status === 'inactive'
          ? 'Terminated'
          : person.status === 'leave'
            ? 'Leave of Absence'
            : person.employmentType,
      hireDate,
      originalHireDate: hireDate,
      terminationDate: person.terminationDate ?? this.emptyDate,
      jobTitle: person.jobTitle,
      department: person.department,
      division: person.division,
      location: person.location,
      supervisor: manager ? `${manager.lastName}, ${manager.firstName}` : '',
      // [I] the supervisor's "Employee #"; supervisorEId is the internal id.
      supervisorId: manager?.employeeNumber ?? '',
      supervisorEId: person.managerId ?? '',
      supervisorEmail: manager?.email ?? '',
      lastChanged: person.updatedAt.replace(/Z$/, '+00:00'),
    };
  }

  // GET /api/v1/employees/directory
  private directory(request: FakeRequest): FakeResponse {
    if (!this.directorySharing) return legacyError(403, 'Directory sharing is turned off for this company');
    const onlyCurrent = request.query.get('onlyCurrent') !== 'false';
    const people = this.people.filter(
      (person) => !this.notInDirectory.has(person.id) && (!onlyCurrent || statusWord(person) === 'Active'),
    );
    if (people.length === 0) return legacyError(404, 'The directory is empty');
    if (!(request.headers.accept ?? '').includes('application/json')) {
      const entries = people.map((person) => `<employee id="${person.id}"/>`).join('');
      return { status: 200, headers: { 'content-type': 'text/xml' }, body: `<directory>${entries}</directory>` };
    }
    const employees = people.map((person) => {
      const manager = this.people.find((candidate) => candidate.id === person.managerId);
      const entry: Record<string, unknown> = {
        id: person.id,
        displayName: `${person.preferredName ?? person.firstName} ${person.lastName}`,
        firstName: person.firstName,
        lastName: person.lastName,
        preferredName: person.preferredName ?? null,
        jobTitle: person.jobTitle,
        workPhone: null,
        mobilePhone: null,
        workEmail: person.email,
        department: person.department,
        location: person.location,
        division: person.division,
        supervisor: manager ? `${manager.firstName} ${manager.lastName}` : null,
        photoUploaded: false,
        photoUrl: `https://images.bamboohr.example/${person.id}.jpg`,
        canUploadPhoto: 0,
        ...this.custom.get(person.id),
      };
      for (const field of this.hiddenFields) if (field !== 'id') delete entry[field];
      return entry;
    });
    const fields = Object.keys(employees[0] ?? {})
      .filter((field) => field !== 'id')
      .map((field) => ({ id: field, type: 'text', name: field }));
    return { status: 200, json: { fields, employees } };
  }
}

function statusWord(person: Person): 'Active' | 'Inactive' {
  return person.status === 'active' || person.status === 'leave' ? 'Active' : 'Inactive';
}

/** Legacy v1 endpoints: the error text travels in a header, the body is empty. */
function legacyError(status: number, message: string): FakeResponse {
  return { status, headers: { 'x-bamboohr-error-message': message } };
}

/** The new endpoints: JSON `{code, message}`. */
function badRequest(code: string, message: string): FakeResponse {
  return { status: 400, json: { code, message } };
}

function compare(a: unknown, b: unknown): number {
  const asText = (value: unknown) => (typeof value === 'string' ? value : '');
  return asText(a).localeCompare(asText(b), 'en', { numeric: true });
}

function encodeBoundary(employeeId: string): string {
  return Buffer.from(`after:${employeeId}`).toString('base64url');
}

function decodeBoundary(cursor: string): string | undefined {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  return decoded.startsWith('after:') ? decoded.slice('after:'.length) : undefined;
}
