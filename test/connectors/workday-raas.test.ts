import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkdayRaasConfigSchema } from '../../connectors/workday-raas/config';
import { createWorkdayRaasSource } from '../../connectors/workday-raas/source';
import type { EmployeePage } from '../../connectors/sdk/source';
import {
  WORKDAY_ISU_PASSWORD,
  WORKDAY_ISU_USER,
  WORKDAY_REPORT_NAME,
  WORKDAY_REPORT_OWNER,
  WORKDAY_TENANT,
  WorkdayRaasFake,
} from '../fakes/workday-raas/server';
import { collect, describeSourceConformance, testSourceDeps } from '../support/source-conformance';
import { failureOf } from '../support/failure-of';

const env = { WORKDAY_PASSWORD: WORKDAY_ISU_PASSWORD, WORKDAY_WRONG_PASSWORD: 'not-the-password-123' };
const deps = testSourceDeps(env);
const REPORT = `/ccx/service/customreport2/${WORKDAY_TENANT}/${WORKDAY_REPORT_OWNER}/${WORKDAY_REPORT_NAME}`;

const baseConfig = (fake: WorkdayRaasFake) => ({
  type: 'workday-raas',
  baseUrl: fake.baseUrl,
  tenant: WORKDAY_TENANT,
  reportOwner: WORKDAY_REPORT_OWNER,
  reportName: WORKDAY_REPORT_NAME,
  username: WORKDAY_ISU_USER,
  password: { env: 'WORKDAY_PASSWORD' },
  pageSize: 7,
});

function workday(fake: WorkdayRaasFake, overrides: Record<string, unknown> = {}, today?: string) {
  const config = WorkdayRaasConfigSchema.parse({ ...baseConfig(fake), ...overrides });
  return createWorkdayRaasSource(config, deps, today === undefined ? {} : { today: () => today });
}

const recordsOf = (pages: EmployeePage[]) => pages.flatMap((page) => page.records);
const rejectedOf = (pages: EmployeePage[]) => pages.flatMap((page) => page.rejected);

describeSourceConformance({
  name: 'Workday RaaS',
  startFake: () => WorkdayRaasFake.start(),
  createSource: (fake, _deps, credentials) =>
    workday(fake, credentials === 'wrong' ? { password: { env: 'WORKDAY_WRONG_PASSWORD' } } : {}),
  secretValues: [WORKDAY_ISU_PASSWORD, env.WORKDAY_WRONG_PASSWORD],
  rosterSize: 23,
  env,
});

describe('Workday RaaS mapping and vendor behaviour', () => {
  let fake: WorkdayRaasFake;
  beforeAll(async () => {
    fake = await WorkdayRaasFake.start();
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('maps one person field by field through tenant-defined column aliases', async () => {
    fake.seed(7);
    fake.renamedColumns = {
      Employee_ID: 'Worker_ID',
      Legal_First_Name: 'First_Name',
      Legal_Last_Name: 'Last_Name',
      Work_Email: 'Email_Primary_Work',
      Active_Status: 'Is_Active',
      Hire_Date: 'Most_Recent_Hire_Date',
      Termination_Date: 'Last_Termination_Date',
      Supervisory_Organization: 'Department',
      Company: 'Division',
      Location: 'Work_Location',
      Job_Title: 'Business_Title',
      Worker_Type: 'Employee_Type',
      Manager_Employee_ID: 'Manager_ID',
    };
    const leaver = fake.people.find((person) => person.status === 'inactive')!;
    fake.cells.set(leaver.id, { Badge_Number: 'B-0007' });
    const source = workday(fake, {
      columns: {
        sourceId: 'Worker_ID',
        firstName: 'First_Name',
        lastName: 'Last_Name',
        preferredName: 'Preferred_Name',
        workEmail: 'Email_Primary_Work',
        status: 'Is_Active',
        onLeave: 'On_Leave',
        hireDate: 'Most_Recent_Hire_Date',
        terminationDate: 'Last_Termination_Date',
        department: 'Department',
        division: 'Division',
        location: 'Work_Location',
        jobTitle: 'Business_Title',
        employmentType: 'Employee_Type',
        costCenter: 'Cost_Center',
        managerSourceId: 'Manager_ID',
      },
      customFields: { badge: 'Badge_Number' },
    });
    await source.check();
    const pages = await collect(source);
    expect(rejectedOf(pages)).toEqual([]);
    const records = recordsOf(pages);
    expect(records.find((record) => record.sourceId === leaver.id)).toEqual({
      sourceId: leaver.id,
      firstName: leaver.firstName,
      lastName: leaver.lastName,
      preferredName: leaver.preferredName,
      workEmail: leaver.email,
      status: 'inactive',
      rawStatus: '0',
      hireDate: leaver.hireDate,
      terminationDate: '2026-06-30',
      jobTitle: leaver.jobTitle,
      employmentType: leaver.employmentType,
      department: leaver.department,
      division: leaver.division,
      location: leaver.location,
      costCenter: leaver.costCenter,
      managerSourceId: '4001',
      customFields: { badge: 'B-0007' },
    });
    // Workday's Active flag is "1" for leave and pre-hire: leave comes from the On_Leave column, and a
    // pre-hire whose hire date has passed is simply active.
    expect(records.map((record) => record.status).sort()).toEqual([
      'active',
      'active',
      'active',
      'active',
      'active',
      'inactive',
      'leave',
    ]);
  });

  it('orders entries by Employee ID whatever order the report uses', async () => {
    fake.seed(12);
    const reportOrder = fake.people
      .slice()
      .sort((a, b) => a.lastName.localeCompare(b.lastName))
      .map((person) => person.id);
    const ids = recordsOf(await collect(workday(fake))).map((record) => record.sourceId);
    expect(ids).toEqual(fake.people.map((person) => person.id));
    expect(ids).not.toEqual(reportOrder);
  });

  it('sends report prompts as query parameters, always with format=json', async () => {
    fake.seed(12);
    const before = fake.http.requests.length;
    const source = workday(fake, { prompts: { Location: 'Berlin', 'Worker_Type!WID': 'a1b2c3d4e5' } });
    await source.check();
    const records = recordsOf(await collect(source));
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(12);
    expect(new Set(records.map((record) => record.location))).toEqual(new Set(['Berlin']));
    const sent = fake.http.requests.slice(before);
    expect(sent).toHaveLength(2);
    for (const request of sent) {
      expect(request.path).toBe(REPORT);
      expect(Object.fromEntries(request.query)).toEqual({
        Location: 'Berlin',
        'Worker_Type!WID': 'a1b2c3d4e5',
        format: 'json',
      });
    }
  });

  it('never lets the format be changed: without format=json Workday answers XML', async () => {
    const authorization = `Basic ${Buffer.from(`${WORKDAY_ISU_USER}:${WORKDAY_ISU_PASSWORD}`).toString('base64')}`;
    const xml = await fetch(`${fake.baseUrl}${REPORT}`, { headers: { authorization } });
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await xml.text()).toMatch(/^<\?xml .*<wd:Report_Data /);

    const refused = WorkdayRaasConfigSchema.safeParse({ ...baseConfig(fake), prompts: { format: 'csv' } });
    expect(refused.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'prompts: must not set format: the connector always asks for format=json',
    ]);
  });

  it('reads multi-instance columns, {Descriptor, ID} references and zoned dates', async () => {
    fake.seed(3);
    fake.dateZone = '-08:00';
    const [first] = fake.people;
    fake.cells.set(first!.id, {
      Work_Email: ['', 'ada.primary@example.com', 'ada.other@example.com'],
      Location: { Descriptor: 'Berlin', ID: 'LOC_BER' },
      Supervisory_Organization: [{ Descriptor: 'People (Ada Lane)', ID: [{ type: 'WID', _value: '9c1e' }] }],
      Manager_Employee_ID: [
        {
          Descriptor: 'Grace Hopper',
          ID: [
            { type: 'WID', _value: '3f2a9d1c' },
            { type: 'Employee_ID', _value: '4002' },
          ],
        },
      ],
      Company: { ID: [{ type: 'WID', _value: 'c0ffee' }] },
      Skills: [{ Descriptor: 'Go' }, { Descriptor: 'SQL' }, 'Terraform'],
      Phones: [{ Phone_Number: '555-0100' }],
    });
    const records = recordsOf(
      await collect(workday(fake, { customFields: { skills: 'Skills', phones: 'Phones', missing: 'Nope' } })),
    );
    expect(records[0]).toMatchObject({
      sourceId: first!.id,
      workEmail: 'ada.primary@example.com',
      location: 'Berlin',
      department: 'People (Ada Lane)',
      managerSourceId: '4002',
      division: 'c0ffee',
      hireDate: first!.hireDate,
      customFields: { skills: 'Go; SQL; Terraform' },
    });
    expect(records[0]!.customFields).toEqual({ skills: 'Go; SQL; Terraform' });
    expect(records[1]!.hireDate).toBe(fake.people[1]!.hireDate);
  });

  it('derives the status from the active flag or word, the termination date and a future hire', async () => {
    const today = '2026-01-15';
    const cases: Array<{ cells: Record<string, unknown>; status: string }> = [
      { cells: { Active_Status: '1' }, status: 'active' },
      { cells: { Active_Status: '0' }, status: 'inactive' },
      { cells: { Active_Status: 'true' }, status: 'active' },
      { cells: { Active_Status: 'FALSE' }, status: 'inactive' },
      { cells: { Active_Status: 'Active' }, status: 'active' },
      { cells: { Active_Status: 'On Leave' }, status: 'leave' },
      { cells: { Active_Status: 'Pre-Hire' }, status: 'pending' },
      { cells: { Active_Status: 'Terminated' }, status: 'inactive' },
      { cells: { Active_Status: 'Seconded' }, status: 'leave' },
      { cells: { Active_Status: '1', Hire_Date: '2026-02-01' }, status: 'pending' },
      { cells: { Active_Status: '1', Termination_Date: '2026-01-14' }, status: 'inactive' },
      { cells: { Active_Status: '1', Termination_Date: '2026-01-15' }, status: 'active' },
      { cells: { Active_Status: '1', Termination_Date: '2026-03-31' }, status: 'active' },
      { cells: { Active_Status: '1', Hire_Date: '2025-09-01', Termination_Date: '2025-06-30' }, status: 'active' },
      { cells: { Active_Status: '1', On_Leave: '1' }, status: 'leave' },
      { cells: { Active_Status: '0', On_Leave: '1' }, status: 'inactive' },
    ];
    fake.seed(cases.length);
    cases.forEach((testCase, index) =>
      fake.cells.set(fake.people[index]!.id, {
        Hire_Date: '2020-01-01',
        Termination_Date: '',
        On_Leave: '0',
        ...testCase.cells,
      }),
    );
    const pages = await collect(
      workday(fake, { columns: { onLeave: 'On_Leave' }, statusMap: { Seconded: 'leave' } }, today),
    );
    expect(rejectedOf(pages)).toEqual([]);
    const records = recordsOf(pages);
    expect(records.map((record) => record.status)).toEqual(cases.map((testCase) => testCase.status));
    expect(records.map((record) => record.rawStatus)).toEqual(cases.map((testCase) => testCase.cells['Active_Status']));
  });

  it('rejects unknown status words and odd on-leave values instead of guessing, by employee and field', async () => {
    fake.seed(4);
    const [retired, missing, odd] = fake.people;
    fake.cells.set(retired!.id, { Active_Status: 'Retired' });
    fake.cells.set(missing!.id, { Active_Status: '' });
    fake.cells.set(odd!.id, { On_Leave: 'sometimes', Work_Email: 'not-an-email' });
    const pages = await collect(workday(fake, { columns: { onLeave: 'On_Leave' } }));
    expect(recordsOf(pages).map((record) => record.sourceId)).toEqual([fake.people[3]!.id]);
    expect(rejectedOf(pages)).toEqual([
      { row: 'employee 4001', field: 'status', reason: 'is not a known status word (add it to statusMap)' },
      { row: 'employee 4002', field: 'status', reason: 'is required' },
      {
        row: 'employee 4003',
        field: 'status',
        reason: 'has an on-leave value that is not yes/no, true/false or 1/0',
      },
      { row: 'employee 4003', field: 'workEmail', reason: 'is not a valid email address' },
    ]);
  });

  it('leaves restricted columns empty, and rejects rows that lose their status', async () => {
    fake.seed(3);
    fake.restrictedColumns = new Set(['Work_Email', 'Manager_Employee_ID']);
    const records = recordsOf(await collect(workday(fake)));
    expect(records).toHaveLength(3);
    for (const record of records) {
      expect(record.workEmail).toBeUndefined();
      expect(record.managerSourceId).toBeUndefined();
      expect(record.lastName).toBeDefined();
    }

    fake.restrictedColumns = new Set(['Active_Status']);
    const pages = await collect(workday(fake));
    expect(recordsOf(pages)).toEqual([]);
    expect(rejectedOf(pages)).toEqual(
      ['4001', '4002', '4003'].map((id) => ({ row: `employee ${id}`, field: 'status', reason: 'is required' })),
    );
  });

  it('rejects every entry of an Employee ID the report repeats, and labels id-less entries by position', async () => {
    fake.seed(4);
    fake.cells.set('4002', { Employee_ID: '4001' });
    fake.cells.set('4004', { Employee_ID: ' ' });
    const pages = await collect(workday(fake));
    expect(recordsOf(pages).map((record) => record.sourceId)).toEqual(['4003']);
    const reportPosition = fake.people
      .slice()
      .sort((a, b) => a.lastName.localeCompare(b.lastName))
      .findIndex((person) => person.id === '4004');
    expect(rejectedOf(pages)).toEqual([
      { row: `report entry ${reportPosition + 1}`, field: 'sourceId', reason: 'is required' },
      { row: 'employee 4001', field: 'sourceId', reason: 'appears on more than one report entry' },
      { row: 'employee 4001', field: 'sourceId', reason: 'appears on more than one report entry' },
    ]);
  });

  it('check() names a source-id column the report does not have, listing the columns it has', async () => {
    fake.seed(2);
    fake.restrictedColumns = new Set(['Preferred_Name', 'Cost_Center']);
    const failure = await failureOf(() => workday(fake, { columns: { sourceId: 'Worker_ID' } }).check());
    expect(failure.type).toBe('InvalidConfig');
    expect(failure.message).toBe(
      'Workday: the report\'s entries have no "Worker_ID" column (columns.sourceId); they have: Active_Status, Company, ' +
        'Employee_ID, Hire_Date, Job_Title, Legal_First_Name, Legal_Last_Name, Location, Manager_Employee_ID, On_Leave, ' +
        'Supervisory_Organization, Termination_Date, Work_Email, Worker_Type',
    );
  });

  it('explains a wrong report name with the exact 404 message, without the query string', async () => {
    fake.seed(2);
    const failure = await failureOf(() =>
      workday(fake, { reportName: 'Rosterflow_Workers_v2', prompts: { Location: 'Berlin' } }).check(),
    );
    expect(failure.type).toBe('SourceRequestRejected');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toBe(
      `Workday: GET /ccx/service/customreport2/${WORKDAY_TENANT}/${WORKDAY_REPORT_OWNER}/Rosterflow_Workers_v2 ` +
        `was rejected (HTTP 404): Report ${WORKDAY_REPORT_OWNER}/Rosterflow_Workers_v2 does not exist or is not a ` +
        'web service. Check host, tenant, reportOwner and reportName, and that the report is enabled as a web ' +
        'service and shared with the integration user',
    );
    expect(failure.message).not.toContain('Berlin');
    expect(failure.message).not.toContain('format');
  });

  it('gives clean errors when Workday answers with an HTML or XML page instead of JSON', async () => {
    fake.seed(2);
    fake.errorFormat = 'html';
    const missing = await failureOf(() => workday(fake, { reportName: 'Nope' }).check());
    expect(missing.message).toBe(
      `Workday: GET /ccx/service/customreport2/${WORKDAY_TENANT}/${WORKDAY_REPORT_OWNER}/Nope was rejected ` +
        '(HTTP 404). Check host, tenant, reportOwner and reportName, and that the report is enabled as a web ' +
        'service and shared with the integration user',
    );

    fake.failNext(1, 500);
    const outage = await failureOf(() => collect(workday(fake)));
    expect(outage.type).toBe('SourceUnavailable');
    expect(outage.retryable).toBe(true);
    expect(outage.message).toBe(`Workday: GET ${REPORT} failed (HTTP 500)`);

    fake.errorFormat = 'xml';
    const refused = await failureOf(() => workday(fake, { password: { env: 'WORKDAY_WRONG_PASSWORD' } }).check());
    expect(refused.type).toBe('SourceAuthFailed');
    expect(refused.message).toBe(`Workday: GET ${REPORT} rejected the credentials (HTTP 401)`);
  });

  it('passes the JSON error message of a refused user through', async () => {
    const refused = await failureOf(() => workday(fake, { password: { env: 'WORKDAY_WRONG_PASSWORD' } }).check());
    expect(refused.message).toBe(
      `Workday: GET ${REPORT} rejected the credentials (HTTP 401): Invalid user name or password`,
    );
  });

  it('rides out throttling answered with 503 and Retry-After', async () => {
    fake.seed(9);
    fake.throttleStatus = 503;
    const before = fake.listingRequests();
    fake.rateLimitNext(2);
    const records = recordsOf(await collect(workday(fake)));
    expect(records).toHaveLength(9);
    expect(fake.listingRequests() - before).toBe(3);
  });

  it('validates where the report lives', () => {
    const issues = (overrides: Record<string, unknown>) =>
      WorkdayRaasConfigSchema.safeParse({ ...baseConfig(fake), ...overrides }).error?.issues.map(
        (issue) => `${issue.path.join('.')}: ${issue.message}`,
      );
    expect(issues({ baseUrl: undefined })).toEqual(['host: set exactly one of host or baseUrl']);
    expect(issues({ host: 'wd2-impl-services1.workday.com' })).toEqual(['host: set exactly one of host or baseUrl']);
    expect(issues({ baseUrl: undefined, host: 'https://wd2-impl-services1.workday.com' })).toEqual([
      'host: must be a host name such as wd2-impl-services1.workday.com (no https://, no path)',
    ]);
    expect(issues({ reportName: 'Reports/Workers' })).toEqual([
      'reportName: must be one URL path segment (no /, ?, # or spaces)',
    ]);
    expect(issues({ columns: { employeeId: 'Employee_ID' } })?.[0]).toMatch(/^columns: Unrecognized key/);
    expect(issues({ baseUrl: undefined, host: 'wd2-impl-services1.workday.com' })).toBeUndefined();
  });

  it('names a missing secret without calling Workday', async () => {
    const before = fake.http.requests.length;
    const failure = await failureOf(() => workday(fake, { password: { env: 'WORKDAY_UNSET' } }).check());
    expect(failure.type).toBe('SecretUnavailable');
    expect(failure.message).toBe("source.password: the secret's environment variable WORKDAY_UNSET is not set");
    expect(fake.http.requests.length).toBe(before);
  });
});
