import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScimFaultProxy } from '../support/scim-fault-proxy';
import { startScimServer } from '../support/scim-server';
import type { ScimServer } from '../support/scim-server';

/*
 * The SCIM test harness against the real scim2-server: what the server does (so the SCIM target's
 * tests can rely on it) and what each proxy fault looks like to a plain fetch client.
 */

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

interface ListResponse {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: { id: string; userName?: string; externalId?: string }[];
}

/** One SCIM call with the server's token; the body as JSON (empty object when there is none). */
async function scim(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as never) : {} };
}

function patch(...operations: unknown[]): unknown {
  return { schemas: [PATCH_OP], Operations: operations };
}

function newUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER], userName, ...extra };
}

describe('scim2-server', () => {
  let server: ScimServer;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    scim(server.url, server.bearerToken, method, path, body, headers);
  const create = async (userName: string, extra?: Record<string, unknown>): Promise<string> => {
    const answer = await call('POST', '/Users', newUser(userName, extra));
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
    return answer.json['id'] as string;
  };

  beforeAll(async () => {
    server = await startScimServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('refuses a wrong or missing bearer token with a SCIM 401, but serves ServiceProviderConfig to anyone', async () => {
    const wrong = await scim(server.url, 'not-the-token', 'GET', '/Users');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(wrong.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    const missing = await fetch(`${server.url}/Users`);
    expect(missing.status).toBe(401);
    const config = await fetch(`${server.url}/ServiceProviderConfig`);
    expect(config.status).toBe(200);
    expect(await config.json()).toMatchObject({
      patch: { supported: true },
      filter: { supported: true, maxResults: 1000 },
      etag: { supported: true },
      bulk: { supported: true, maxOperations: 1000 },
    });
    expect((await call('GET', '/Users')).status).toBe(200);
  });

  it('stores a user with name, work email, title and the enterprise extension, and gives it back', async () => {
    const user = {
      schemas: [USER, ENTERPRISE],
      userName: 'ada.lovelace@example.com',
      externalId: 'emp-1001',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ type: 'work', value: 'ada.lovelace@example.com', primary: true }],
      active: true,
      title: 'Analyst',
      [ENTERPRISE]: { employeeNumber: '1001', department: 'Engines', manager: { value: 'mgr-id-1' } },
    };
    const created = await call('POST', '/Users', user);
    expect(created.status).toBe(201);
    const id = created.json['id'] as string;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(created.headers.get('location')).toBe(`${server.url}/Users/${id}`);
    expect(created.headers.get('content-type')).toBe('application/scim+json');

    const read = await call('GET', `/Users/${id}`);
    expect(read.status).toBe(200);
    const { schemas: _schemas, ...fields } = user;
    expect(read.json).toMatchObject(fields);
    expect(read.json['schemas']).toEqual([USER, ENTERPRISE]);
    expect(read.json['meta']).toMatchObject({ resourceType: 'User', location: `${server.url}/Users/${id}` });
  });

  it('accepts application/json as well, refuses text/plain (what fetch sends for a string body) with 415', async () => {
    const asJson = await call('POST', '/Users', newUser('json.type@example.com'), {
      'content-type': 'application/json',
    });
    expect(asJson.status).toBe(201);
    const asText = await call('POST', '/Users', newUser('text.type@example.com'), { 'content-type': 'text/plain' });
    expect(asText.status).toBe(415);
    expect(asText.json).toMatchObject({ status: '415', detail: 'The request body must be application/scim+json' });
  });

  it('filters by externalId (case-exact, not unique) and by userName (case-insensitive)', async () => {
    const first = await create('filter.one@example.com', { externalId: 'ext-Filter-1' });
    const twin = await create('filter.two@example.com', { externalId: 'ext-Filter-1' });
    const byExternalId = await call('GET', `/Users?filter=${encodeURIComponent('externalId eq "ext-Filter-1"')}`);
    expect(byExternalId.status).toBe(200);
    const list = byExternalId.json as unknown as ListResponse;
    expect(list.Resources.map((user) => user.id).sort()).toEqual([first, twin].sort());
    const otherCase = await call('GET', `/Users?filter=${encodeURIComponent('externalId eq "EXT-filter-1"')}`);
    expect((otherCase.json as unknown as ListResponse).totalResults).toBe(0);
    const byUserName = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "FILTER.ONE@example.com"')}`);
    expect((byUserName.json as unknown as ListResponse).Resources.map((user) => user.id)).toEqual([first]);
    const either = await call(
      'GET',
      `/Users?attributes=id&filter=${encodeURIComponent('externalId eq "ext-Filter-1" or userName eq "nobody@example.com"')}`,
    );
    expect((either.json as unknown as ListResponse).totalResults).toBe(2);
  });

  it('answers a duplicate userName (in any case) with 409 uniqueness, on POST and on PUT', async () => {
    const id = await create('taken@example.com');
    const other = await create('free@example.com');
    const duplicate = await call('POST', '/Users', newUser('TAKEN@example.com'));
    expect(duplicate.status).toBe(409);
    expect(duplicate.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: 'One or more of the attribute values are already in use or are reserved',
    });
    const renamed = await call('PUT', `/Users/${other}`, newUser('taken@example.com'));
    expect(renamed.status).toBe(409);
    expect(renamed.json['scimType']).toBe('uniqueness');
    expect((await call('GET', `/Users/${id}`)).status).toBe(200);
  });

  it('answers bad requests with 400 and a scimType', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/Users', { schemas: [USER] }, 'invalidValue'],
      ['POST', '/Users', '{"userName": ', 'invalidSyntax'],
      ['GET', `/Users?filter=${encodeURIComponent('userName eq')}`, undefined, 'invalidFilter'],
      ['GET', `/Users?filter=${encodeURIComponent('nosuch eq "x"')}`, undefined, 'invalidFilter'],
      ['GET', '/Users?count=ten', undefined, 'invalidValue'],
    ];
    for (const [method, path, body, scimType] of cases) {
      const answer = await call(method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(400);
      expect(answer.json, `${method} ${path}`).toMatchObject({ status: '400', scimType });
      expect(answer.json['detail']).toEqual(expect.any(String));
    }
  });

  it('applies PATCH replace at every path form the target uses, answering 204 without a body', async () => {
    const id = await create('patch.me@example.com', {
      schemas: [USER, ENTERPRISE],
      name: { givenName: 'Pat', familyName: 'Ching' },
      emails: [{ type: 'work', value: 'patch.me@example.com' }],
      active: true,
      title: 'Before',
      [ENTERPRISE]: { employeeNumber: '7', department: 'Old', manager: { value: 'mgr-old' } },
    });
    const answer = await call(
      'PATCH',
      `/Users/${id}`,
      patch(
        { op: 'replace', path: 'active', value: false },
        { op: 'replace', path: 'title', value: 'After' },
        { op: 'replace', path: 'name.givenName', value: 'Patricia' },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'patricia@example.com' },
        { op: 'replace', path: `${ENTERPRISE}:department`, value: 'New' },
        { op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: 'mgr-new' } },
      ),
    );
    expect(answer.status, JSON.stringify(answer.json)).toBe(204);
    expect(answer.json).toEqual({});
    const read = await call('GET', `/Users/${id}`);
    expect(read.json).toMatchObject({
      active: false,
      title: 'After',
      name: { givenName: 'Patricia', familyName: 'Ching' },
      emails: [{ type: 'work', value: 'patricia@example.com' }],
      [ENTERPRISE]: { employeeNumber: '7', department: 'New', manager: { value: 'mgr-new' } },
    });
  });

  it('accepts the other PATCH forms clients send: manager.value, no path, op case, "True", remove', async () => {
    const id = await create('patch.forms@example.com', { active: true });
    const steps: [unknown, Record<string, unknown>][] = [
      [
        { op: 'replace', path: `${ENTERPRISE}:manager.value`, value: 'mgr-a' },
        { [ENTERPRISE]: { manager: { value: 'mgr-a' } } },
      ],
      [
        { op: 'replace', value: { title: 'T', 'name.familyName': 'F', [`${ENTERPRISE}:department`]: 'D' } },
        { title: 'T', name: { familyName: 'F' }, [ENTERPRISE]: { department: 'D' } },
      ],
      [{ op: 'replace', value: { [ENTERPRISE]: { employeeNumber: '9' } } }, { [ENTERPRISE]: { employeeNumber: '9' } }],
      [{ op: 'Replace', path: 'active', value: 'False' }, { active: false }],
      [
        { op: 'add', path: 'emails', value: [{ type: 'work', value: 'w@example.com' }] },
        { emails: [{ type: 'work', value: 'w@example.com' }] },
      ],
    ];
    for (const [operation, expected] of steps) {
      const answer = await call('PATCH', `/Users/${id}`, patch(operation));
      expect(answer.status, JSON.stringify(operation)).toBe(204);
      expect((await call('GET', `/Users/${id}`)).json, JSON.stringify(operation)).toMatchObject(expected);
    }
    expect((await call('PATCH', `/Users/${id}`, patch({ op: 'remove', path: `${ENTERPRISE}:manager` }))).status).toBe(
      204,
    );
    const read = await call('GET', `/Users/${id}`);
    expect((read.json[ENTERPRISE] as Record<string, unknown>)['manager']).toBeUndefined();
    // A body comes back only when asked for with ?attributes=.
    const withBody = await call(
      'PATCH',
      `/Users/${id}?attributes=title`,
      patch({ op: 'replace', path: 'title', value: 'U' }),
    );
    expect(withBody.status).toBe(200);
    expect(withBody.json).toEqual({ schemas: [USER], id, title: 'U' });
  });

  it('refuses PATCH replace on a work email the user lacks (noTarget), an unknown path, a bad value or op', async () => {
    const id = await create('patch.errors@example.com');
    const cases: [unknown, string][] = [
      [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'x@example.com' }, 'noTarget'],
      [{ op: 'replace', path: 'nosuch', value: 'x' }, 'invalidPath'],
      [{ op: 'replace', path: 'emails[type eq work].value', value: 'x' }, 'invalidPath'],
      [{ op: 'replace', path: 'active', value: 'maybe' }, 'invalidValue'],
      [{ op: 'merge', path: 'title', value: 'x' }, 'invalidValue'],
    ];
    for (const [operation, scimType] of cases) {
      const answer = await call('PATCH', `/Users/${id}`, patch(operation));
      expect(answer.status, JSON.stringify(operation)).toBe(400);
      expect(answer.json, JSON.stringify(operation)).toMatchObject({ status: '400', scimType });
    }
  });

  it('versions users with weak ETags: a change bumps it, a no-op PATCH does not, If-Match and If-None-Match work', async () => {
    const created = await call('POST', '/Users', newUser('etag@example.com', { title: 'A' }));
    const id = created.json['id'] as string;
    const first = created.headers.get('etag') ?? '';
    expect(first).toMatch(/^W\/"\d+"$/);
    expect((created.json['meta'] as Record<string, unknown>)['version']).toBe(first);

    const same = await call('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'A' }));
    expect(same.status).toBe(204);
    expect(same.headers.get('etag')).toBe(first);
    const changed = await call('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'B' }));
    const second = changed.headers.get('etag') ?? '';
    expect(second).not.toBe(first);
    expect((await call('GET', `/Users/${id}`)).headers.get('etag')).toBe(second);

    const stale = await call('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'C' }), {
      'if-match': first,
    });
    expect(stale.status).toBe(412);
    expect(stale.json).toMatchObject({ status: '412' });
    const current = await call('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'C' }), {
      'if-match': second,
    });
    expect(current.status).toBe(204);
    const unchanged = await call('GET', `/Users/${id}`, undefined, {
      'if-none-match': current.headers.get('etag') ?? '',
    });
    expect(unchanged.status).toBe(304);
  });

  it('deletes with 204; the user is then 404 to GET, PATCH and DELETE', async () => {
    const id = await create('delete.me@example.com');
    expect((await call('DELETE', `/Users/${id}`)).status).toBe(204);
    for (const method of ['GET', 'DELETE']) {
      const answer = await call(method, `/Users/${id}`);
      expect(answer.status).toBe(404);
      expect(answer.json).toMatchObject({ status: '404', detail: `User '${id}' not found` });
    }
    const patched = await call('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'x' }));
    expect(patched.status).toBe(404);
  });
});

describe('scim2-server paging', () => {
  let server: ScimServer;
  const call = (method: string, path: string, body?: unknown) =>
    scim(server.url, server.bearerToken, method, path, body);

  /** Creates users page-0001@… on through /Bulk, a thousand operations at most per request. */
  async function bulkCreate(from: number, to: number): Promise<void> {
    const Operations = [];
    for (let n = from; n <= to; n += 1) {
      const userName = `page-${String(n).padStart(4, '0')}@example.com`;
      Operations.push({
        method: 'POST',
        path: '/Users',
        bulkId: `u${n}`,
        data: newUser(userName, { externalId: `p${n}` }),
      });
    }
    const answer = await call('POST', '/Bulk', { schemas: [BULK], Operations });
    expect(answer.status).toBe(200);
    const results = answer.json['Operations'] as { status: string }[];
    expect(results.every((result) => result.status === '201')).toBe(true);
  }

  async function page(query: string): Promise<ListResponse> {
    const answer = await call('GET', `/Users?${query}`);
    expect(answer.status).toBe(200);
    return answer.json as unknown as ListResponse;
  }

  beforeAll(async () => {
    server = await startScimServer();
    await bulkCreate(1, 250);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('pages 250 users with startIndex/count, each exactly once, in a stable order (by id, not creation)', async () => {
    const seen: string[] = [];
    for (let startIndex = 1; ; startIndex += 100) {
      const list = await page(`startIndex=${startIndex}&count=100`);
      expect(list.totalResults).toBe(250);
      expect(list.startIndex).toBe(startIndex);
      expect(list.itemsPerPage).toBe(list.Resources.length);
      seen.push(...list.Resources.map((user) => user.id));
      if (list.Resources.length < 100) break;
    }
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen).toEqual([...seen].sort());
    const again = await page('startIndex=101&count=100');
    expect(again.Resources.map((user) => user.id)).toEqual(seen.slice(100, 200));
  });

  it('treats startIndex below 1 as 1, past the end as an empty page, count 0 as totals only', async () => {
    expect((await page('startIndex=0&count=2')).startIndex).toBe(1);
    expect((await page('startIndex=-5&count=2')).startIndex).toBe(1);
    const past = await page('startIndex=400&count=10');
    expect(past).toMatchObject({ totalResults: 250, startIndex: 400, itemsPerPage: 0, Resources: [] });
    const totals = await page('count=0');
    expect(totals).toMatchObject({ totalResults: 250, itemsPerPage: 0, Resources: [] });
  });

  it('sorts by userName on request', async () => {
    const list = await page('sortBy=userName&count=3&attributes=userName');
    expect(list.Resources.map((user) => user.userName)).toEqual([
      'page-0001@example.com',
      'page-0002@example.com',
      'page-0003@example.com',
    ]);
  });

  it('caps a page at 1000 (filter.maxResults), silently, with or without count', async () => {
    await bulkCreate(251, 1050);
    for (const query of ['attributes=id', 'count=5000&attributes=id']) {
      const list = await page(query);
      expect(list.totalResults).toBe(1050);
      expect(list.itemsPerPage).toBe(1000);
      expect(list.Resources).toHaveLength(1000);
    }
    const last = await page('startIndex=1001&count=1000&attributes=id');
    expect(last.Resources).toHaveLength(50);
  });
});

describe('ScimFaultProxy in front of scim2-server', () => {
  let server: ScimServer;
  let proxy: ScimFaultProxy;
  const call = (method: string, path: string, body?: unknown) =>
    scim(proxy.url, server.bearerToken, method, path, body);

  beforeAll(async () => {
    server = await startScimServer();
    proxy = await ScimFaultProxy.start(server.url);
  });
  afterEach(() => {
    expect(proxy.pendingFaults()).toBe(0);
    proxy.reset();
  });
  afterAll(async () => {
    await proxy.close();
    await server.stop();
  });

  it('forwards to the server, which names the proxy in Location, and records each request', async () => {
    const created = await call('POST', '/Users', newUser('proxied@example.com', { externalId: 'px-1' }));
    expect(created.status).toBe(201);
    const id = created.json['id'] as string;
    expect(created.headers.get('location')).toBe(`${proxy.url}/v2/Users/${id}`);
    expect((await call('GET', `/Users?filter=${encodeURIComponent('externalId eq "px-1"')}`)).status).toBe(200);
    expect((await scim(`${proxy.url}/v2`, server.bearerToken, 'GET', `/Users/${id}`)).status).toBe(200);
    expect(proxy.requests()).toEqual([
      {
        method: 'POST',
        path: '/Users',
        query: '',
        body: newUser('proxied@example.com', { externalId: 'px-1' }),
        status: 201,
      },
      { method: 'GET', path: '/Users', query: 'filter=externalId eq "px-1"', status: 200 },
      { method: 'GET', path: `/Users/${id}`, query: '', status: 200 },
    ]);
    expect(proxy.writes().map((request) => `${request.method} ${request.path}`)).toEqual(['POST /Users']);
  });

  it('answers 429 with Retry-After and a SCIM error body, without reaching the server', async () => {
    proxy.inject('429', { method: 'POST', path: /^\/Users$/, retryAfterSeconds: 3 });
    const limited = await call('POST', '/Users', newUser('limited@example.com'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.headers.get('content-type')).toBe('application/scim+json');
    expect(limited.json).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '429',
      detail: 'Too many requests',
    });
    expect(proxy.writes()).toEqual([]);
    expect((await call('POST', '/Users', newUser('limited@example.com'))).status).toBe(201);
    expect(proxy.received()).toEqual([
      { method: 'POST', path: '/Users', fault: '429' },
      { method: 'POST', path: '/Users' },
    ]);
  });

  it('answers 503 and 500 with SCIM error bodies, only to the method and path they match, `times` times', async () => {
    proxy.inject('503', { method: 'GET', path: /^\/Users$/, times: 2 });
    proxy.inject('500', { method: 'PATCH' });
    expect((await call('GET', '/ServiceProviderConfig')).status).toBe(200);
    const first = await call('GET', '/Users');
    expect(first.status).toBe(503);
    expect(first.json).toMatchObject({ status: '503', schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] });
    expect((await call('GET', '/Users')).status).toBe(503);
    expect((await call('GET', '/Users')).status).toBe(200);
    const failed = await call('PATCH', '/Users/any', patch({ op: 'replace', path: 'title', value: 'x' }));
    expect(failed.status).toBe(500);
    expect(failed.json).toMatchObject({ status: '500' });
    expect(proxy.requests().map((request) => request.path)).toEqual(['/ServiceProviderConfig', '/Users']);
  });

  it('hangs until the client gives up', async () => {
    proxy.inject('hang', { path: /^\/Users$/ });
    const started = Date.now();
    const error = await fetch(`${proxy.url}/Users`, {
      headers: { authorization: `Bearer ${server.bearerToken}` },
      signal: AbortSignal.timeout(300),
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(proxy.requests()).toEqual([]);
  });

  it('cuts the connection without forwarding: fetch fails with ECONNRESET and nothing was written', async () => {
    proxy.inject('cut', { method: 'POST' });
    const error = await call('POST', '/Users', newUser('cut.before@example.com')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(proxy.writes()).toEqual([]);
    const found = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "cut.before@example.com"')}`);
    expect((found.json as unknown as ListResponse).totalResults).toBe(0);
  });

  it('forwards, then cuts: fetch fails exactly as for a cut, but the user was created', async () => {
    proxy.inject('cut-after-forward', { method: 'POST', path: /^\/Users$/ });
    const error = await call('POST', '/Users', newUser('cut.after@example.com')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(proxy.writes()).toMatchObject([{ method: 'POST', path: '/Users', status: 201, answerLost: true }]);
    const found = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "cut.after@example.com"')}`);
    expect((found.json as unknown as ListResponse).totalResults).toBe(1);
    // A blind retry is refused: the first attempt did the write.
    expect((await call('POST', '/Users', newUser('cut.after@example.com'))).status).toBe(409);
  });

  it('counts a search as a read, and reset() forgets requests and faults', async () => {
    const search = await call('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName eq "nobody@example.com"',
    });
    expect(search.status).toBe(200);
    expect(proxy.requests()).toHaveLength(1);
    expect(proxy.writes()).toEqual([]);
    proxy.inject('503');
    proxy.reset();
    expect(proxy.requests()).toEqual([]);
    expect(proxy.received()).toEqual([]);
    expect((await call('GET', '/Users?count=0')).status).toBe(200);
  });
});
