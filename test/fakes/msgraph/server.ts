import { Buffer } from 'node:buffer';
import type { ConformanceFake } from '../../support/source-conformance';
import { FakeHttpServer, bearerToken } from '../support/fake-http';
import type { FakeRequest, FakeResponse } from '../support/fake-http';
import { syntheticPeople } from '../support/people';
import type { Person } from '../support/people';
import { DEFAULT_PROPERTIES, KNOWN_PROPERTIES, graphUserId, selectProperties, userProperties } from './render';

export { MSGRAPH_COMPANY_NAME, MSGRAPH_PENDING_HIRE_DATE, graphUserId } from './render';

export const MSGRAPH_TENANT_ID = '7d3c1f4e-0000-4000-8000-00000000c0de';
export const MSGRAPH_CLIENT_ID = '2b9e6a51-0000-4000-8000-0000000a0b1d';
export const MSGRAPH_CLIENT_SECRET = 'Fk8Q~graph.fake-secret_31d9';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

const TOKEN_PATH = /^\/([^/]+)\/oauth2\/v2\.0\/token$/;
const USERS_PATH = /^\/v1\.0\/users$/;
const DELTA_PATH = /^\/v1\.0\/users\/delta$/;
const LISTING_PATH = /^\/v1\.0\/users(?:\/delta)?$/;
/** /users: default 100 per page, `$top` 1-999. https://learn.microsoft.com/en-us/graph/paging */
const USERS_DEFAULT_PAGE = 100;
const USERS_MAX_PAGE = 999;
const FIXED_TRACE = 'a1f0c2d4-7b1e-4c55-9a0e-3d2f6b8c9e01';
const FIXED_TIMESTAMP = '2026-11-20 09:15:27Z';

type RemovedReason = 'changed' | 'deleted';

/**
 * A fake of Entra ID's token endpoint and Graph's /users and /users/delta as specs/sources.md
 * section 5 describes them, on one server: client credentials with Entra's 400 error bodies
 * (AADSTS codes), bearer tokens that expire, `$top` 1-999 (400 above), default page 100, no `$skip`,
 * absolute `@odata.nextLink`s carrying `$skiptoken`, `$select` (unknown properties refused,
 * employeeOrgData only when selected), `$expand=manager($select=...)` on /users, delta rounds ending
 * in `@odata.deltaLink` with `@removed` entries and null properties left out, Graph's error body,
 * and 429 with `Retry-After` and the `x-ms-throttle-*` headers.
 */
export class MsgraphFake implements ConformanceFake {
  people: Person[] = syntheticPeople(20);
  /** Users deleted from the directory, by Graph id: delta rounds report them with `@removed`; /users omits them. */
  removed = new Map<string, RemovedReason>();
  /** Property overrides per person id (null: unset); e.g. `{ accountEnabled: null }`. */
  overrides = new Map<string, Record<string, unknown>>();
  /** Properties this app may not read (employeeLeaveDateTime without User-LifeCycleInfo.Read.All): always null. */
  hiddenProperties = new Set<string>();
  /** An app without User.Read.All: tokens are issued, every Graph call is 403. */
  missingPermission = false;
  tokenLifetimeSeconds = 3599;
  /** users/delta pages by `Prefer: odata.maxpagesize`, capped here (200 for users, per Microsoft Q&A). */
  deltaMaxPageSize = 200;
  /** [?] in the spec: whether users/delta accepts `$expand=manager`; refused by default. */
  deltaAcceptsExpand = false;

  http!: FakeHttpServer;
  private readonly tokens = new Map<string, number>();
  private issued = 0;
  private requestCounter = 0;

  static async start(): Promise<MsgraphFake> {
    const fake = new MsgraphFake();
    fake.http = await FakeHttpServer.start((request) => fake.handle(request));
    return fake;
  }

  /** Both the Graph base URL and the authority host: the fake serves both on one server. */
  get baseUrl(): string {
    return this.http.url;
  }

  seed(count: number): void {
    this.people = syntheticPeople(count);
    this.removed.clear();
    this.overrides.clear();
  }

  rateLimitNext(times: number): void {
    const requestId = this.nextRequestId();
    this.http.injectFault({
      times,
      path: LISTING_PATH,
      response: {
        status: 429,
        headers: {
          'retry-after': '1',
          'x-ms-throttle-scope': `Tenant_Application/Read/${MSGRAPH_CLIENT_ID}/${MSGRAPH_TENANT_ID}`,
          'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
          'request-id': requestId,
        },
        json: graphError('TooManyRequests', 'Too many requests', requestId),
      },
    });
  }

  listingRequests(): number {
    return this.http.requestsTo(LISTING_PATH).length;
  }

  tokenRequests(): number {
    return this.http.requestsTo(TOKEN_PATH).length;
  }

  /** Every issued token stops working (revoked, or expired early). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(request: FakeRequest): FakeResponse {
    const token = TOKEN_PATH.exec(request.path);
    if (token) return this.issueToken(request, decodeURIComponent(token[1] as string));
    const authFailure = this.authenticate(request);
    if (authFailure) return authFailure;
    const requestId = this.nextRequestId();
    if (this.missingPermission) {
      return {
        status: 403,
        json: graphError(
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
          requestId,
        ),
      };
    }
    if (request.method === 'GET' && USERS_PATH.test(request.path)) return this.listUsers(request, requestId);
    if (request.method === 'GET' && DELTA_PATH.test(request.path)) return this.listDelta(request, requestId);
    const segment = request.path.split('/').at(-1) ?? '';
    return badRequest('BadRequest', `Resource not found for the segment '${segment}'.`, requestId);
  }

  /** https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow */
  private issueToken(request: FakeRequest, tenant: string): FakeResponse {
    const form = request.form ?? new URLSearchParams();
    const clientId = form.get('client_id') ?? '';
    if (request.method !== 'POST')
      return entraError('invalid_request', 900561, 'AADSTS900561: The endpoint only accepts POST requests.');
    if (tenant !== MSGRAPH_TENANT_ID) {
      return entraError(
        'invalid_request',
        90002,
        `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return entraError('unsupported_grant_type', 70003, 'AADSTS70003: The app requested an unsupported grant type.');
    }
    if (clientId !== MSGRAPH_CLIENT_ID) {
      return entraError(
        'unauthorized_client',
        700016,
        `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
      );
    }
    if (form.get('client_secret') !== MSGRAPH_CLIENT_SECRET) {
      return entraError(
        'invalid_client',
        7000215,
        `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    if (form.get('scope') !== GRAPH_SCOPE) {
      return entraError(
        'invalid_scope',
        1002012,
        'AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
      );
    }
    this.issued += 1;
    const accessToken = `eyJ0eXAiOiJKV1QifQ.${Buffer.from(JSON.stringify({ aud: 'https://graph.microsoft.com', n: this.issued })).toString('base64url')}.fake`;
    this.tokens.set(accessToken, Date.now() + this.tokenLifetimeSeconds * 1000);
    return {
      status: 200,
      json: {
        token_type: 'Bearer',
        expires_in: this.tokenLifetimeSeconds,
        ext_expires_in: this.tokenLifetimeSeconds,
        access_token: accessToken,
      },
    };
  }

  private authenticate(request: FakeRequest): FakeResponse | undefined {
    const token = bearerToken(request);
    const expiresAt = token === undefined ? undefined : this.tokens.get(token);
    let message: string | undefined;
    if (token === undefined) message = 'Access token is empty.';
    else if (expiresAt === undefined) message = 'Access token validation failure. Invalid audience.';
    else if (expiresAt <= Date.now()) message = 'Lifetime validation failed, the token is expired.';
    if (message === undefined) return undefined;
    return {
      status: 401,
      headers: {
        'www-authenticate':
          'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
      },
      json: graphError('InvalidAuthenticationToken', message, this.nextRequestId()),
    };
  }

  /** https://learn.microsoft.com/en-us/graph/api/user-list */
  private listUsers(request: FakeRequest, requestId: string): FakeResponse {
    const query = request.query;
    if (query.has('$skip'))
      return badRequest('Request_BadRequest', "'$skip' is not supported by the service.", requestId);
    const top = query.get('$top');
    const pageSize = top === null ? USERS_DEFAULT_PAGE : Number(top);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > USERS_MAX_PAGE) {
      return badRequest(
        'Request_UnsupportedQuery',
        `Invalid page size specified: '${top ?? ''}'. Must be between 1 and 999 inclusive.`,
        requestId,
      );
    }
    const select = this.selectOf(query);
    if (typeof select === 'string') return badRequest('Request_BadRequest', select, requestId);
    const expand = parseExpand(query.get('$expand'));
    if (typeof expand === 'string') return badRequest('Request_BadRequest', expand, requestId);
    const after = readSkipToken(query.get('$skiptoken'));
    if (after === null) return expiredToken(requestId);

    const users = this.orderedPeople().filter((person) => graphUserId(person.id) > after.after);
    const page = users.slice(0, pageSize);
    const value = page.map((person) => ({
      ...this.render(person, select, false),
      ...(expand ? this.expandedManager(person, expand) : {}),
    }));
    const last = page.at(-1);
    let nextLink: string | undefined;
    if (users.length > pageSize && last) {
      // Graph repeats the request's options in the link, with `$` and commas left as they are.
      const options = [...query].filter(([name]) => name !== '$skiptoken');
      options.push(['$skiptoken', writeSkipToken({ after: graphUserId(last.id) })]);
      nextLink = `${this.baseUrl}/v1.0/users?${options.map(([name, text]) => `${name}=${odataEncode(text)}`).join('&')}`;
    }
    return this.ok(requestId, resourceUnits(query), {
      '@odata.context': `${this.baseUrl}/v1.0/$metadata#users`,
      ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
      value,
    });
  }

  /** https://learn.microsoft.com/en-us/graph/api/user-delta: one round, then a deltaLink. */
  private listDelta(request: FakeRequest, requestId: string): FakeResponse {
    const query = request.query;
    if (query.has('$deltatoken')) {
      // A later round: this fake tracks no changes between rounds, so a valid token reports none.
      if (readSkipToken(query.get('$deltatoken')) === null) return expiredToken(requestId);
      return this.ok(requestId, 1, {
        '@odata.context': `${this.baseUrl}/v1.0/$metadata#users`,
        '@odata.deltaLink': `${this.baseUrl}/v1.0/users/delta?$deltatoken=${query.get('$deltatoken') ?? ''}`,
        value: [],
      });
    }
    let state: DeltaState;
    if (query.has('$skiptoken')) {
      const token = readSkipToken(query.get('$skiptoken'));
      if (token === null || !token.delta) return expiredToken(requestId);
      state = token.delta;
    } else {
      if (query.has('$expand') && !this.deltaAcceptsExpand) {
        return badRequest('Request_UnsupportedQuery', 'Unsupported Query.', requestId);
      }
      const select = this.selectOf(query, ['manager']);
      if (typeof select === 'string') return badRequest('Request_BadRequest', select, requestId);
      const preferred = /odata\.maxpagesize=(\d+)/.exec(String(request.headers['prefer'] ?? ''))?.[1];
      state = {
        after: '',
        size: Math.min(preferred ? Number(preferred) : this.deltaMaxPageSize, this.deltaMaxPageSize),
        select,
      };
    }
    const select = state.select;
    const entries: { id: string; render: () => Record<string, unknown> }[] = [
      ...this.people.map((person) => ({
        id: graphUserId(person.id),
        render: () => ({ ...this.render(person, select, true), ...this.managerDelta(person, select) }),
      })),
      ...[...this.removed].map(([id, reason]) => ({ id, render: () => ({ id, '@removed': { reason } }) })),
    ]
      .filter((entry) => entry.id > state.after)
      .sort((a, b) => byCodeUnits(a.id, b.id));
    const page = entries.slice(0, state.size);
    const last = page.at(-1);
    const more = entries.length > state.size && last !== undefined;
    const link = more
      ? {
          '@odata.nextLink': `${this.baseUrl}/v1.0/users/delta?$skiptoken=${writeSkipToken({ after: last.id, delta: { ...state, after: last.id } })}`,
        }
      : {
          '@odata.deltaLink': `${this.baseUrl}/v1.0/users/delta?$deltatoken=${writeSkipToken({ after: '', round: 1 })}`,
        };
    return this.ok(
      requestId,
      1,
      { '@odata.context': `${this.baseUrl}/v1.0/$metadata#users`, ...link, value: page.map((entry) => entry.render()) },
      { 'preference-applied': `odata.maxpagesize=${state.size}` },
    );
  }

  /** `$select` as a list, or the error message for a property the user type does not have. */
  private selectOf(query: URLSearchParams, extra: string[] = []): string[] | string {
    const raw = query.get('$select');
    if (raw === null) return DEFAULT_PROPERTIES;
    const names = raw
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const known = new Set([...KNOWN_PROPERTIES, ...extra, 'manager', ...this.overrideNames()]);
    const unknown = names.find((name) => !known.has(name));
    return unknown === undefined
      ? names
      : `Could not find a property named '${unknown}' on type 'Microsoft.DirectoryServices.User'.`;
  }

  private overrideNames(): string[] {
    return [...this.overrides.values()].flatMap((values) => Object.keys(values));
  }

  private render(person: Person, select: readonly string[], omitNulls: boolean): Record<string, unknown> {
    const properties = { ...userProperties(person), ...this.overrides.get(person.id) };
    for (const hidden of this.hiddenProperties) properties[hidden] = null;
    // `manager` is a relationship: $select=manager returns nothing on /users (it needs $expand).
    return selectProperties(
      properties,
      select.filter((name) => name !== 'manager'),
      omitNulls,
    );
  }

  private managerOf(person: Person): Person | undefined {
    return person.managerId === undefined ? undefined : this.people.find((other) => other.id === person.managerId);
  }

  private expandedManager(person: Person, select: readonly string[]): Record<string, unknown> {
    const manager = this.managerOf(person);
    if (!manager) return {};
    return {
      manager: { '@odata.type': '#microsoft.graph.user', ...this.render(manager, select, false) },
    };
  }

  /** Delta reports the manager relationship as `manager@delta` (ids only) when `manager` is selected. */
  private managerDelta(person: Person, select: readonly string[]): Record<string, unknown> {
    const manager = this.managerOf(person);
    if (!manager || !select.includes('manager')) return {};
    return { 'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: graphUserId(manager.id) }] };
  }

  private orderedPeople(): Person[] {
    return [...this.people].sort((a, b) => byCodeUnits(graphUserId(a.id), graphUserId(b.id)));
  }

  private ok(requestId: string, units: number, json: unknown, headers: Record<string, string> = {}): FakeResponse {
    return {
      status: 200,
      headers: {
        'request-id': requestId,
        'client-request-id': requestId,
        'x-ms-resource-unit': String(units),
        ...headers,
      },
      json,
    };
  }

  private nextRequestId(): string {
    this.requestCounter += 1;
    return `5e0f9c2a-0000-4000-9000-${String(this.requestCounter).padStart(12, '0')}`;
  }
}

interface DeltaState {
  after: string;
  size: number;
  select: string[];
}

interface SkipToken {
  after: string;
  delta?: DeltaState;
  round?: number;
}

/** The order skip tokens compare in (`>`), so pages never skip or repeat an id. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function odataEncode(text: string): string {
  return encodeURIComponent(text).replace(/%(24|2C|28|29|3D)/g, (escaped) => decodeURIComponent(escaped));
}

/** Skip tokens are opaque to clients; this one names the last id served (keyset paging). */
function writeSkipToken(token: SkipToken): string {
  return `RFNwdA${Buffer.from(JSON.stringify(token)).toString('base64url')}`;
}

/** `{after: ''}` without a token; null for one the fake did not write. */
function readSkipToken(value: string | null): SkipToken | null {
  if (value === null) return { after: '' };
  try {
    const token = JSON.parse(Buffer.from(value.replace(/^RFNwdA/, ''), 'base64url').toString('utf8')) as SkipToken;
    return typeof token.after === 'string' ? token : null;
  } catch {
    return null;
  }
}

/** The properties selected inside `$expand=manager(...)`, or the error message for any other expansion. */
function parseExpand(value: string | null): string[] | undefined | string {
  if (value === null) return undefined;
  const match = /^manager(?:\(\$select=([A-Za-z0-9_,]+)\))?$/.exec(value.trim());
  if (!match)
    return `Could not find a navigation property named '${value.split('(')[0] ?? value}' on type 'Microsoft.DirectoryServices.User'.`;
  return match[1] ? match[1].split(',') : DEFAULT_PROPERTIES;
}

/**
 * The identity service's cost of a /users request: base 2, `$select` -1, `$expand` +1, `$top` under
 * 20 -1, at least 1. https://learn.microsoft.com/graph/throttling-limits
 */
function resourceUnits(query: URLSearchParams): number {
  let units = 2;
  if (query.has('$select')) units -= 1;
  if (query.has('$expand')) units += 1;
  if (Number(query.get('$top') ?? USERS_DEFAULT_PAGE) < 20) units -= 1;
  return Math.max(1, units);
}

function graphError(code: string, message: string, requestId: string): unknown {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().slice(0, 19),
        'request-id': requestId,
        'client-request-id': requestId,
      },
    },
  };
}

function badRequest(code: string, message: string, requestId: string): FakeResponse {
  return { status: 400, headers: { 'request-id': requestId }, json: graphError(code, message, requestId) };
}

function expiredToken(requestId: string): FakeResponse {
  return badRequest(
    'Directory_ExpiredPageToken',
    'The specified page token value has expired and can no longer be included in your request.',
    requestId,
  );
}

/** Entra's token error body; the description ends with trace ids as the real one does (fixed here). */
function entraError(error: string, code: number, description: string): FakeResponse {
  return {
    status: 400,
    json: {
      error,
      error_description: `${description}\r\nTrace ID: ${FIXED_TRACE}\r\nCorrelation ID: ${FIXED_TRACE}\r\nTimestamp: ${FIXED_TIMESTAMP}`,
      error_codes: [code],
      timestamp: FIXED_TIMESTAMP,
      trace_id: FIXED_TRACE,
      correlation_id: FIXED_TRACE,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}
