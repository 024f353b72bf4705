import type { ConformanceFake } from '../../support/source-conformance';
import { FakeHttpServer, basicCredentials } from '../support/fake-http';
import type { FakeRequest, FakeResponse } from '../support/fake-http';
import { syntheticPeople } from '../support/people';
import type { Person } from '../support/people';

export const HIBOB_SERVICE_USER = 'SERVICE-4711';
export const HIBOB_TOKEN = 'hibob-fake-token-7f3a9c';
const SEARCH_PATH = /\/v1\/people\/search$/;

const LIFECYCLE: Record<Person['status'], string> = {
  active: 'employed',
  pending: 'hired',
  leave: 'leave',
  inactive: 'terminated',
};

/**
 * A fake of Bob's people search as specs/sources.md section 2 describes it: Basic auth with a
 * service user, no paging (one response holds everyone), `showInactive` defaulting to false,
 * `humanReadable`, 400 on a malformed filter, 403 for a service user without a permission group,
 * 429 when rate limited, and fields the user may not see simply left out.
 */
export class HibobFake implements ConformanceFake {
  people: Person[] = syntheticPeople(20);
  /** A service user not yet in a permission group: authenticated, but every call is 403. */
  noPermissionGroup = false;
  /** Fields (`work.title`, ...) this service user may not see; Bob omits them without an error. */
  hiddenFields = new Set<string>();
  /** Extra values per person id, for custom-field paths such as `work.custom.team`. */
  custom = new Map<string, Record<string, unknown>>();

  http!: FakeHttpServer;

  static async start(): Promise<HibobFake> {
    const fake = new HibobFake();
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
    const reset = String(Math.ceil(Date.now() / 1000) + 1);
    this.http.injectFault({
      times,
      path: SEARCH_PATH,
      response: {
        status: 429,
        headers: {
          'retry-after': '1',
          'x-ratelimit-limit': '50',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': reset,
        },
        json: { error: 'Too many requests' },
      },
    });
  }

  listingRequests(): number {
    return this.http.requestsTo(SEARCH_PATH).length;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(request: FakeRequest): FakeResponse {
    const credentials = basicCredentials(request);
    if (credentials?.user !== HIBOB_SERVICE_USER || credentials.password !== HIBOB_TOKEN) {
      return { status: 401, json: { error: 'Unauthorized' } };
    }
    if (this.noPermissionGroup)
      return { status: 403, json: { error: 'Forbidden: the service user has no permissions' } };
    if (request.method !== 'POST' || !SEARCH_PATH.test(request.path))
      return { status: 404, json: { error: 'Not found' } };

    const body = (request.json ?? {}) as {
      fields?: unknown;
      filters?: unknown;
      showInactive?: unknown;
      humanReadable?: unknown;
    };
    if (body.fields !== undefined && (!Array.isArray(body.fields) || body.fields.length > 400)) {
      return { status: 400, json: { error: 'fields must be an array of at most 400 field ids' } };
    }
    if (body.filters !== undefined && (!Array.isArray(body.filters) || body.filters.length > 1)) {
      return { status: 400, json: { error: 'At most one filter is supported' } };
    }
    const people =
      body.showInactive === true ? this.people : this.people.filter((person) => person.status !== 'inactive');
    const fields = new Set(
      (body.fields as string[] | undefined) ?? ['root.id', 'root.firstName', 'root.surname', 'root.email'],
    );
    const readable = (field: string) => fields.has(field) && !this.hiddenFields.has(field);
    return {
      status: 200,
      json: { employees: people.map((person) => this.render(person, readable, body.humanReadable === 'REPLACE')) },
    };
  }

  private render(person: Person, readable: (field: string) => boolean, labels: boolean): Record<string, unknown> {
    const pick = (field: string, value: unknown) => (readable(field) ? value : undefined);
    // Without humanReadable, list fields come back as list-item ids.
    const listValue = (label: string) => (labels ? label : String(Math.abs(hash(label))));
    const custom = this.custom.get(person.id) ?? {};
    const work = {
      title: pick('work.title', listValue(person.jobTitle)),
      department: pick('work.department', listValue(person.department)),
      site: pick('work.site', person.location),
      startDate: pick('work.startDate', person.hireDate),
      employeeIdInCompany: pick('work.employeeIdInCompany', Number(person.employeeNumber.slice(2))),
      reportsTo: pick(
        'work.reportsTo',
        person.managerId ? { id: person.managerId, email: 'manager@example.com' } : null,
      ),
      ...(readable('work.custom.team') || Object.keys(custom).length > 0 ? { custom } : {}),
    };
    return {
      id: person.id,
      firstName: pick('root.firstName', person.firstName),
      surname: pick('root.surname', person.lastName),
      displayName: pick('root.displayName', `${person.firstName} ${person.lastName}`),
      email: pick('root.email', person.email),
      work,
      internal: {
        status: pick('internal.status', person.status === 'inactive' ? 'Inactive' : 'Active'),
        lifecycleStatus: pick('internal.lifecycleStatus', LIFECYCLE[person.status]),
        terminationDate: pick('internal.terminationDate', person.terminationDate ?? null),
      },
      payroll: { employment: { type: pick('payroll.employment.type', person.employmentType) } },
    };
  }
}

function hash(text: string): number {
  let value = 0;
  for (const char of text) value = (value * 31 + char.charCodeAt(0)) | 0;
  return value;
}
