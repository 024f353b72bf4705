import type { ScaffoldNames } from '../names';

/** test/fakes/<name>/server.ts: the vendor fake the test runs against. */
export function fakeTemplate(n: ScaffoldNames): string {
  return `import type { ConformanceFake } from '../../support/source-conformance';
import { FakeHttpServer, bearerToken } from '../support/fake-http';
import type { FakeRequest, FakeResponse } from '../support/fake-http';
import { syntheticPeople } from '../support/people';
import type { Person } from '../support/people';

/** The only token the fake accepts. */
export const ${n.constant}_TOKEN = '${n.kebab}-fake-token-5c2e9a';
/** TODO: the vendor's page-size maximum and default, from its API docs. */
export const ${n.constant}_FAKE_MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 25;
const EMPLOYEES_PATH = /\\/v1\\/employees$/;

/** TODO: the status words the vendor really sends. */
const STATUS_WORDS: Record<Person['status'], string> = {
  active: 'Active',
  pending: 'Onboarding',
  leave: 'On Leave',
  inactive: 'Terminated',
};

/**
 * A fake of the vendor's employee API. As generated it is a plain JSON API: \`GET /v1/employees\`
 * with \`limit\` and \`offset\` and a bearer token, answering \`{ data, total }\` in id order; 401 for a
 * wrong token, 400 for a limit over the maximum, 429 with \`Retry-After: 1\` when rate limited; errors
 * as \`{ error: { code, message } }\`. TODO: make it behave as the vendor's docs say (auth, paging,
 * page-size cap, rate-limit status and headers, error bodies, restricted and null fields) and link
 * the docs here.
 */
export class ${n.pascal}Fake implements ConformanceFake {
  people: Person[] = syntheticPeople(20);
  /** Fields replaced in one person's record, by person id: nulls, unknown words, malformed values. */
  overrides = new Map<string, Record<string, unknown>>();

  http!: FakeHttpServer;

  static async start(): Promise<${n.pascal}Fake> {
    const fake = new ${n.pascal}Fake();
    fake.http = await FakeHttpServer.start((request) => fake.handle(request));
    return fake;
  }

  get baseUrl(): string {
    return \`\${this.http.url}/v1\`;
  }

  seed(count: number): void {
    this.people = syntheticPeople(count);
    this.overrides.clear();
  }

  rateLimitNext(times: number): void {
    this.http.injectFault({
      times,
      path: EMPLOYEES_PATH,
      response: {
        status: 429,
        headers: { 'retry-after': '1' },
        json: { error: { code: 'rate_limited', message: 'Too many requests' } },
      },
    });
  }

  listingRequests(): number {
    return this.http.requestsTo(EMPLOYEES_PATH).length;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(request: FakeRequest): FakeResponse {
    if (bearerToken(request) !== ${n.constant}_TOKEN) return error(401, 'unauthorized', 'Invalid or missing API token');
    if (request.method !== 'GET' || !EMPLOYEES_PATH.test(request.path)) return error(404, 'not_found', 'Not found');

    const limit = Number(request.query.get('limit') ?? DEFAULT_PAGE_SIZE);
    const offset = Number(request.query.get('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > ${n.constant}_FAKE_MAX_PAGE_SIZE) {
      return error(400, 'invalid_parameter', \`limit must be between 1 and \${${n.constant}_FAKE_MAX_PAGE_SIZE}\`);
    }
    if (!Number.isInteger(offset) || offset < 0) return error(400, 'invalid_parameter', 'offset must be 0 or more');

    const ordered = [...this.people].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
    return {
      status: 200,
      json: { data: ordered.slice(offset, offset + limit).map((person) => this.render(person)), total: ordered.length },
    };
  }

  /** A person in the vendor's shape. TODO: the vendor's field names, nesting and value formats. */
  private render(person: Person): Record<string, unknown> {
    return {
      id: person.id,
      employeeNumber: person.employeeNumber,
      firstName: person.firstName,
      lastName: person.lastName,
      preferredName: person.preferredName ?? null,
      workEmail: person.email,
      status: STATUS_WORDS[person.status],
      hireDate: person.hireDate,
      terminationDate: person.terminationDate ?? null,
      jobTitle: person.jobTitle,
      department: person.department,
      location: person.location,
      managerId: person.managerId ?? null,
      ...this.overrides.get(person.id),
    };
  }
}

function error(status: number, code: string, message: string): FakeResponse {
  return { status, json: { error: { code, message } } };
}

// The fake on its own, to try a sync end to end before you have the vendor's credentials:
// npx tsx test/fakes/${n.kebab}/server.ts
if (require.main === module) {
  void ${n.pascal}Fake.start().then((fake) => {
    console.log(\`${n.vendor} fake: baseUrl \${fake.baseUrl}, token \${${n.constant}_TOKEN}, \${fake.people.length} employees\`);
    console.log('Ctrl-C stops it.');
  });
}
`;
}
