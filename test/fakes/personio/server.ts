import type { ConformanceFake } from '../../support/source-conformance';
import { FakeHttpServer, bearerToken } from '../support/fake-http';
import type { FakeRequest, FakeResponse } from '../support/fake-http';
import { syntheticPeople } from '../support/people';
import type { Person } from '../support/people';

export const PERSONIO_CLIENT_ID = 'papi-client-3f9d21c8';
export const PERSONIO_CLIENT_SECRET = 'papi-secret-b7e04c55a1d9';
/** Personio's cap on `limit` and its default when `limit` is omitted. */
export const PERSONIO_MAX_LIMIT = 100;
export const PERSONIO_DEFAULT_LIMIT = 50;

const AUTH_PATH = /\/v1\/auth$/;
const EMPLOYEES_PATH = /\/v1\/company\/employees$/;
const MINUTE_MS = 60_000;

/** An attribute as Personio sends it; custom (`dynamic_<n>`) ones have no universal_id. */
export interface PersonioAttributeJson {
  label: string;
  value: unknown;
  type: string;
  universal_id?: string;
}

/** A custom attribute the fake company has, with each person's value. */
export interface DynamicAttribute {
  key: `dynamic_${number}`;
  label: string;
  type: string;
  valueOf(person: Person, index: number): unknown;
}

const SHIRT_SIZES = ['S', 'M', 'L', 'XL'];

export const DEFAULT_DYNAMIC_ATTRIBUTES: readonly DynamicAttribute[] = [
  { key: 'dynamic_1146666', label: 'Personnel number', type: 'standard', valueOf: (person) => person.employeeNumber },
  { key: 'dynamic_1146702', label: 'Shirt size', type: 'list', valueOf: (_, index) => SHIRT_SIZES[index % 4] },
];

/** Every person also books 30% to this shared cost centre, listed first; their own one holds 70%. */
export const SHARED_COST_CENTER = 'CC-SHARED';

const STATUS_WORDS: Record<Person['status'], string> = {
  active: 'active',
  pending: 'onboarding',
  leave: 'leave',
  inactive: 'inactive',
};

export interface PersonioFakeOptions {
  /** GET employees limit: a bucket of `burst` requests refilled at `perMinute`; undefined turns it off. */
  listingRateLimit?: { burst: number; perMinute: number } | undefined;
  /** POST /v1/auth requests allowed per minute before a 60 s cool-down. */
  authPerMinute?: number;
}

/**
 * A fake of Personio's v1 API as specs/sources.md section 3 describes it: `POST /v1/auth` with a
 * client id and secret (JSON or form body) giving a 24 h `papi-` token, reusable (stable mode) or
 * single-use with a fresh one in each response's Authorization header (rotating mode); 60 auth
 * requests per minute, then a 60 s cool-down; `GET /v1/company/employees` with `limit` (max 100,
 * default 50) and `offset`, ordered by id, with `{total_elements, current_page, total_pages}`;
 * attributes as `{label, value, type, universal_id}` wrappers with nested relations, offset
 * date-times and `dynamic_<n>` custom attributes; attributes the credential may not read left out;
 * 429 with `Retry-After: 1` beyond 300 requests/min (bursts of 15/s); errors as
 * `{success:false, error:{code, message}}`.
 */
export class PersonioFake implements ConformanceFake {
  people: Person[] = syntheticPeople(20);
  /** `stable`: today's reusable 24 h token. `rotating`: the older single-use tokens. */
  tokenMode: 'stable' | 'rotating' = 'stable';
  tokenLifetimeSeconds = 86_400;
  /** [?] in the spec: `page` reads `offset` as a page index, as reported for other v1 endpoints. */
  offsetSemantics: 'record' | 'page' = 'record';
  /** [?] in the spec: what a `limit` over 100 gets, a 400 or the first 100. */
  overCapLimit: 'reject' | 'clamp' = 'reject';
  /** [?] in the spec: the status of a wrong client id or secret (personio-py's tests use 403). */
  wrongCredentialsStatus: 400 | 401 | 403 = 403;
  /** Attribute keys outside the credential's readable attributes: Personio leaves them out. */
  unreadable = new Set<string>();
  dynamicAttributes: readonly DynamicAttribute[] = DEFAULT_DYNAMIC_ATTRIBUTES;
  /** Per person id: attributes to replace (or, with `undefined`, to drop). */
  overrides = new Map<string, Record<string, PersonioAttributeJson | undefined>>();
  /** The UTC offset Personio writes on dates and timestamps (the company's time zone). */
  dateOffset = '+01:00';
  authPerMinute: number;
  listingRateLimit: { burst: number; perMinute: number } | undefined;

  http!: FakeHttpServer;
  private readonly tokens = new Map<string, { expiresAt: number; used: boolean }>();
  private stableToken: string | undefined;
  private issuedTokens = 0;
  private authTimes: number[] = [];
  private authCooldownUntil = 0;
  private bucket: { tokens: number; at: number } | undefined;

  private constructor(options: PersonioFakeOptions) {
    this.authPerMinute = options.authPerMinute ?? 60;
    this.listingRateLimit = 'listingRateLimit' in options ? options.listingRateLimit : { burst: 15, perMinute: 300 };
  }

  static async start(options: PersonioFakeOptions = {}): Promise<PersonioFake> {
    const fake = new PersonioFake(options);
    fake.http = await FakeHttpServer.start((request) => fake.handle(request));
    return fake;
  }

  get baseUrl(): string {
    return `${this.http.url}/v1`;
  }

  seed(count: number): void {
    this.people = syntheticPeople(count);
  }

  rateLimitNext(times: number): void {
    this.http.injectFault({ times, path: EMPLOYEES_PATH, response: tooManyRequests('1') });
  }

  listingRequests(): number {
    return this.http.requestsTo(EMPLOYEES_PATH).length;
  }

  authRequests(): number {
    return this.http.requestsTo(AUTH_PATH).length;
  }

  /** A valid token without going through the connector, for probing the API directly. */
  issueToken(): string {
    return this.newToken();
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(request: FakeRequest): FakeResponse {
    if (AUTH_PATH.test(request.path) && request.method === 'POST') return this.authenticate(request);
    if (EMPLOYEES_PATH.test(request.path) && request.method === 'GET') return this.listEmployees(request);
    return failure(404, 'Not found');
  }

  private authenticate(request: FakeRequest): FakeResponse {
    const now = Date.now();
    if (now < this.authCooldownUntil) return tooManyRequests(String(Math.ceil((this.authCooldownUntil - now) / 1000)));
    this.authTimes = this.authTimes.filter((at) => now - at < MINUTE_MS);
    if (this.authTimes.length >= this.authPerMinute) {
      this.authCooldownUntil = now + MINUTE_MS;
      return tooManyRequests('60');
    }
    this.authTimes.push(now);

    // Credentials travel in the body, JSON or form; query-string credentials are deprecated.
    const body = (request.json ?? {}) as { client_id?: unknown; client_secret?: unknown };
    const clientId = body.client_id ?? request.form?.get('client_id');
    const clientSecret = body.client_secret ?? request.form?.get('client_secret');
    if (clientId !== PERSONIO_CLIENT_ID || clientSecret !== PERSONIO_CLIENT_SECRET) {
      return {
        status: this.wrongCredentialsStatus,
        json: { success: false, error: { code: 0, message: 'Wrong credentials' } },
      };
    }
    const token = this.tokenMode === 'stable' ? this.currentStableToken() : this.newToken();
    const expiresIn = Math.max(0, Math.round(((this.tokens.get(token)?.expiresAt ?? now) - now) / 1000));
    return {
      status: 200,
      headers: { authorization: `Bearer ${token}` },
      json: { success: true, data: { token, expires_in: expiresIn, scope: 'employees:read' } },
    };
  }

  private listEmployees(request: FakeRequest): FakeResponse {
    const token = bearerToken(request);
    const issued = token === undefined ? undefined : this.tokens.get(token);
    if (!token || !issued || issued.used || Date.now() >= issued.expiresAt) {
      return failure(401, 'The access token is invalid, expired or already used');
    }
    if (!this.takeFromBucket()) return tooManyRequests('1');
    let next = token;
    if (this.tokenMode === 'rotating') {
      issued.used = true;
      next = this.newToken();
    }

    const limitParam = request.query.get('limit');
    const offsetParam = request.query.get('offset');
    let limit = limitParam === null ? PERSONIO_DEFAULT_LIMIT : Number(limitParam);
    const offset = offsetParam === null ? 0 : Number(offsetParam);
    if (!Number.isInteger(limit) || limit < 1) return failure(400, 'The limit must be a positive integer');
    if (!Number.isInteger(offset) || offset < 0) return failure(400, 'The offset must be a non-negative integer');
    if (limit > PERSONIO_MAX_LIMIT) {
      if (this.overCapLimit === 'reject')
        return failure(400, `The limit must not be greater than ${PERSONIO_MAX_LIMIT}`);
      limit = PERSONIO_MAX_LIMIT;
    }

    const ordered = [...this.people].sort((a, b) => Number(a.id) - Number(b.id));
    const start = this.offsetSemantics === 'record' ? offset : offset * limit;
    const data = ordered.slice(start, start + limit).map((person) => this.render(person));
    return {
      status: 200,
      headers: { authorization: `Bearer ${next}` },
      json: {
        success: true,
        metadata: {
          total_elements: ordered.length,
          current_page: this.offsetSemantics === 'record' ? Math.floor(offset / limit) : offset,
          total_pages: Math.ceil(ordered.length / limit),
        },
        offset,
        limit,
        data,
      },
    };
  }

  private render(person: Person): Record<string, unknown> {
    const index = this.people.indexOf(person);
    const manager = this.people.find((candidate) => candidate.id === person.managerId);
    const date = (value: string | undefined) => (value === undefined ? null : `${value}T00:00:00${this.dateOffset}`);
    const attributes: Record<string, PersonioAttributeJson> = {
      id: standard('id', 'ID', Number(person.id), 'integer'),
      first_name: standard('first_name', 'First name', person.firstName),
      last_name: standard('last_name', 'Last name', person.lastName),
      preferred_name: standard('preferred_name', 'Preferred name', person.preferredName ?? ''),
      email: standard('email', 'Email', person.email),
      status: standard('status', 'Status', STATUS_WORDS[person.status]),
      position: standard('position', 'Position', person.jobTitle),
      employment_type: standard(
        'employment_type',
        'Employment type',
        person.employmentType === 'Contractor' ? 'external' : 'internal',
      ),
      hire_date: standard('hire_date', 'Hire date', date(person.hireDate), 'date'),
      termination_date: standard('termination_date', 'Termination date', date(person.terminationDate), 'date'),
      department: standard('department', 'Department', relation('Department', person.department)),
      office: standard('office', 'Office', relation('Office', person.location)),
      subcompany: standard('subcompany', 'Subcompany', relation('Subcompany', person.division)),
      team: standard('team', 'Team', null),
      supervisor: standard(
        'supervisor',
        'Supervisor',
        manager
          ? {
              type: 'Employee',
              attributes: {
                id: standard('id', 'ID', Number(manager.id), 'integer'),
                first_name: standard('first_name', 'First name', manager.firstName),
                last_name: standard('last_name', 'Last name', manager.lastName),
                email: standard('email', 'Email', manager.email),
              },
            }
          : null,
      ),
      cost_centers: standard(
        'cost_centers',
        'Cost center',
        [
          { type: 'CostCenter', attributes: { id: 900, name: SHARED_COST_CENTER, percentage: 30 } },
          { type: 'CostCenter', attributes: { id: idFor(person.costCenter), name: person.costCenter, percentage: 70 } },
        ],
        'list',
      ),
      created_at: standard('created_at', 'Created at', date(person.hireDate), 'date'),
      last_modified_at: standard('last_modified_at', 'Last modified', this.timestamp(person.updatedAt), 'date'),
    };
    for (const dynamic of this.dynamicAttributes) {
      attributes[dynamic.key] = { label: dynamic.label, value: dynamic.valueOf(person, index), type: dynamic.type };
    }
    for (const [key, replacement] of Object.entries(this.overrides.get(person.id) ?? {})) {
      if (replacement === undefined) delete attributes[key];
      else attributes[key] = replacement;
    }
    for (const key of this.unreadable) delete attributes[key];
    return { type: 'Employee', attributes };
  }

  /** A UTC instant written as Personio does, in the company's offset: `2026-11-07T09:00:00+01:00`. */
  timestamp(utc: string): string {
    const match = /^([+-])(\d{2}):(\d{2})$/.exec(this.dateOffset);
    const sign = match?.[1] === '-' ? -1 : 1;
    const shiftMs = sign * (Number(match?.[2] ?? 0) * 60 + Number(match?.[3] ?? 0)) * 60_000;
    return `${new Date(Date.parse(utc) + shiftMs).toISOString().slice(0, 19)}${this.dateOffset}`;
  }

  private currentStableToken(): string {
    const current = this.stableToken === undefined ? undefined : this.tokens.get(this.stableToken);
    if (this.stableToken !== undefined && current && Date.now() < current.expiresAt) return this.stableToken;
    this.stableToken = this.newToken();
    return this.stableToken;
  }

  private newToken(): string {
    this.issuedTokens += 1;
    const token = `papi-fake-${this.issuedTokens}-${Math.random().toString(36).slice(2, 10)}`;
    this.tokens.set(token, { expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000, used: false });
    return token;
  }

  private takeFromBucket(): boolean {
    const limit = this.listingRateLimit;
    if (!limit) return true;
    const now = Date.now();
    const bucket = this.bucket ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / MINUTE_MS) * limit.perMinute);
    bucket.at = now;
    this.bucket = bucket;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

function standard(key: string, label: string, value: unknown, type = 'standard'): PersonioAttributeJson {
  return { label, value, type, universal_id: key };
}

function relation(type: string, name: string): Record<string, unknown> {
  return { type, attributes: { id: idFor(name), name } };
}

function failure(status: number, message: string): FakeResponse {
  return { status, json: { success: false, error: { code: status, message } } };
}

function tooManyRequests(retryAfterSeconds: string): FakeResponse {
  return { ...failure(429, 'Too Many Requests'), headers: { 'retry-after': retryAfterSeconds } };
}

/** A stable small id for an org unit's name. */
function idFor(name: string): number {
  let value = 0;
  for (const char of name) value = (value * 31 + char.charCodeAt(0)) % 100_000;
  return value;
}
