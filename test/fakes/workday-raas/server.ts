import type { ConformanceFake } from '../../support/source-conformance';
import { FakeHttpServer, basicCredentials } from '../support/fake-http';
import type { FakeRequest, FakeResponse } from '../support/fake-http';
import { syntheticPeople } from '../support/people';
import type { Person } from '../support/people';

export const WORKDAY_TENANT = 'acme_preview';
export const WORKDAY_REPORT_OWNER = 'ISU_Rosterflow';
export const WORKDAY_REPORT_NAME = 'Rosterflow_Workers';
export const WORKDAY_ISU_USER = 'ISU_Rosterflow';
export const WORKDAY_ISU_PASSWORD = 'workday-fake-isu-password-5d2e1b';

const REPORT_PATH = /^\/ccx\/service\/customreport2\/([^/]+)\/([^/]+)\/([^/]+)$/;

/** How the report's status column is written: Workday's Active boolean, or a calculated word. */
export type StatusStyle = 'digit' | 'boolean' | 'word';
/** The shape of error bodies: the third-party `{error, message}` guess, or a page that is not JSON. */
export type ErrorFormat = 'json' | 'xml' | 'html';

const STATUS_TEXT: Record<StatusStyle, Record<Person['status'], string>> = {
  // Workday's Active flag stays true for people on leave and for hires not started yet.
  digit: { active: '1', leave: '1', pending: '1', inactive: '0' },
  boolean: { active: 'true', leave: 'true', pending: 'true', inactive: 'false' },
  word: { active: 'Active', leave: 'On Leave', pending: 'Pre-Hire', inactive: 'Terminated' },
};

/**
 * A fake of a Workday custom report exposed as a web service (RaaS), as specs/sources.md section 4
 * describes it: `GET /ccx/service/customreport2/{tenant}/{owner}/{report}` with Basic auth for an
 * integration system user, the whole report in one `{Report_Entry: [...]}` body (no paging, entries
 * in the report's own order, here by last name), XML unless `format=json`, prompts as query
 * parameters (`Location` filters), columns the user may not see left out, 404 for an unknown report.
 * Unknowns made switches: the throttling status (429 or 503, with `Retry-After: 1`) and the error
 * body (`{error, message}` JSON, or an XML/HTML page).
 */
export class WorkdayRaasFake implements ConformanceFake {
  people: Person[] = syntheticPeople(20);
  statusStyle: StatusStyle = 'digit';
  errorFormat: ErrorFormat = 'json';
  /** Workday's answer when throttling is not documented: 429 by default, 503 as a switch. */
  throttleStatus: 429 | 503 = 429;
  /** Standard alias -> the alias this tenant's report author chose, e.g. `Employee_ID: 'Worker_ID'`. */
  renamedColumns: Record<string, string> = {};
  /** Column aliases (after renaming) the integration user may not see: left out of every entry. */
  restrictedColumns = new Set<string>();
  /** Extra or replacing cells per person id, by alias: custom columns, multi-instance values, odd statuses. */
  cells = new Map<string, Record<string, unknown>>();
  /** Appended to every date, e.g. `-08:00`: Workday's `xs:date` may carry a zone. */
  dateZone = '';

  http!: FakeHttpServer;

  static async start(): Promise<WorkdayRaasFake> {
    const fake = new WorkdayRaasFake();
    fake.http = await FakeHttpServer.start((request) => fake.handle(request));
    return fake;
  }

  /** What the connector's `baseUrl` replaces: `https://{host}`. */
  get baseUrl(): string {
    return this.http.url;
  }

  seed(count: number): void {
    this.people = syntheticPeople(count);
  }

  rateLimitNext(times: number): void {
    const throttled = this.error(
      this.throttleStatus,
      'Too Many Requests',
      'The request was throttled; try again later',
    );
    this.http.injectFault({
      times,
      path: REPORT_PATH,
      response: { ...throttled, headers: { ...throttled.headers, 'retry-after': '1' } },
    });
  }

  /** The next `times` report requests fail with `status` and the current error format. */
  failNext(times: number, status: number): void {
    this.http.injectFault({
      times,
      path: REPORT_PATH,
      response: this.error(status, 'Internal Server Error', 'An unexpected error occurred'),
    });
  }

  listingRequests(): number {
    return this.http.requestsTo(REPORT_PATH).length;
  }

  reset(): void {
    this.statusStyle = 'digit';
    this.errorFormat = 'json';
    this.throttleStatus = 429;
    this.renamedColumns = {};
    this.restrictedColumns = new Set();
    this.cells = new Map();
    this.dateZone = '';
    this.http.clearFaults();
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(request: FakeRequest): FakeResponse {
    const credentials = basicCredentials(request);
    if (credentials?.user !== WORKDAY_ISU_USER || credentials.password !== WORKDAY_ISU_PASSWORD) {
      return this.error(401, 'invalid_user', 'Invalid user name or password');
    }
    const match = REPORT_PATH.exec(request.path);
    if (request.method !== 'GET' || !match) return this.error(404, 'Not Found', 'Resource not found');
    const [tenant, owner, report] = match.slice(1).map(decodeURIComponent);
    if (tenant !== WORKDAY_TENANT || owner !== WORKDAY_REPORT_OWNER || report !== WORKDAY_REPORT_NAME) {
      return this.error(
        404,
        'Not Found',
        `Report ${owner ?? ''}/${report ?? ''} does not exist or is not a web service`,
      );
    }

    const location = request.query.get('Location');
    const people = this.people
      .filter((person) => location === null || person.location === location)
      .sort((a, b) => a.lastName.localeCompare(b.lastName));
    const entries = people.map((person) => this.entry(person));
    if (request.query.get('format') === 'json') return { status: 200, json: { Report_Entry: entries } };
    // Without format=json Workday answers with its XML rendering of the report.
    return { status: 200, headers: { 'content-type': 'text/xml; charset=UTF-8' }, body: reportXml(entries) };
  }

  private entry(person: Person): Record<string, unknown> {
    const date = (value: string | undefined) => (value ? `${value}${this.dateZone}` : '');
    const standard: Record<string, unknown> = {
      Employee_ID: person.id,
      Legal_First_Name: person.firstName,
      Legal_Last_Name: person.lastName,
      ...(person.preferredName ? { Preferred_Name: person.preferredName } : {}),
      Work_Email: person.email,
      Active_Status: STATUS_TEXT[this.statusStyle][person.status],
      On_Leave: person.status === 'leave' ? '1' : '0',
      Worker_Type: person.employmentType,
      Hire_Date: date(person.hireDate),
      Termination_Date: date(person.terminationDate),
      Supervisory_Organization: person.department,
      Company: person.division,
      Location: person.location,
      Job_Title: person.jobTitle,
      Cost_Center: person.costCenter,
      ...(person.managerId ? { Manager_Employee_ID: person.managerId } : {}),
    };
    const renamed = Object.fromEntries(
      Object.entries(standard).map(([alias, value]) => [this.renamedColumns[alias] ?? alias, value]),
    );
    const row = { ...renamed, ...this.cells.get(person.id) };
    return Object.fromEntries(Object.entries(row).filter(([alias]) => !this.restrictedColumns.has(alias)));
  }

  private error(status: number, error: string, message: string): FakeResponse {
    switch (this.errorFormat) {
      case 'json':
        return { status, json: { error, message } };
      case 'xml':
        return {
          status,
          headers: { 'content-type': 'text/xml; charset=UTF-8' },
          body: `<?xml version="1.0" encoding="UTF-8"?><wd:Error xmlns:wd="urn:com.workday/bsvc"><wd:Message>${message}</wd:Message></wd:Error>`,
        };
      case 'html':
        return {
          status,
          headers: { 'content-type': 'text/html; charset=UTF-8' },
          body: `<!DOCTYPE html><html><head><title>${error}</title></head><body><h1>${message}</h1></body></html>`,
        };
    }
  }
}

function reportXml(entries: Record<string, unknown>[]): string {
  const rows = entries.map(
    (entry) =>
      `<wd:Report_Entry>${Object.entries(entry)
        .map(
          ([alias, value]) => `<wd:${alias}>${typeof value === 'string' ? value : JSON.stringify(value)}</wd:${alias}>`,
        )
        .join('')}</wd:Report_Entry>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?><wd:Report_Data xmlns:wd="urn:com.workday.report/${WORKDAY_REPORT_NAME}">${rows.join('')}</wd:Report_Data>`;
}
