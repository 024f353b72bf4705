import { z } from 'zod';
import type { Employee } from '../../core/employee';
import { RosterflowError } from '../../core/errors';
import { basicAuth } from '../../io/auth';
import { decodeCursor, encodeCursor } from '../sdk/cursor';
import type { HttpClient, RequestOptions } from '../../io/http';
import type { MappedRow } from '../sdk/mapping';
import type { RowRejection, SourceConnector, SourceContext, SourceDeps } from '../sdk/source';
import type { BamboohrConfig } from './config';
import { bamboohrBaseUrl } from './config';
import { bamboohrErrorMessage } from './errors';
import { createBamboohrMappers } from './mappers/to-employee';
import type { BamboohrMappers } from './mappers/to-employee';
import {
  BamboohrCustomReportSchema,
  BamboohrDirectorySchema,
  BamboohrEmployeeListResponseSchema,
  BamboohrListEmployeeSchema,
} from './types';
import type { BamboohrListEmployee } from './types';

const VENDOR = 'BambooHR';

/** The custom report's roster fields; configured custom fields are added. */
const REPORT_FIELDS = [
  'id',
  'employeeNumber',
  'firstName',
  'lastName',
  'preferredName',
  'displayName',
  'workEmail',
  'homeEmail',
  'status',
  'employmentHistoryStatus',
  'hireDate',
  'terminationDate',
  'jobTitle',
  'department',
  'division',
  'location',
  'supervisorEId',
  'supervisorEmail',
  'lastChanged',
];

/** BambooHR's own `nextCursor` for the page after; `null` once the last page was read. */
const PageCursorSchema = z.object({ after: z.string().min(1).nullable() });

export function createBamboohrSource(config: BamboohrConfig, deps: SourceDeps): SourceConnector {
  const connect = async () =>
    deps.http({
      vendor: VENDOR,
      baseUrl: bamboohrBaseUrl(config),
      // Any password works with an API key; `x` is the convention.
      auth: basicAuth(await deps.resolveSecret(config.apiKey, 'source.apiKey'), 'x'),
      errorMessage: bamboohrErrorMessage,
    });
  const reportFields = [...new Set([...REPORT_FIELDS, ...Object.values(config.customFields)])];

  // https://documentation.bamboohr.com/reference/list-employees
  // Cursor paging (`page[limit]` at most 100, `page[after]`), sorted by id for a stable order.
  const listPage = (client: HttpClient, after: string | undefined, limit: number, ctx: SourceContext | undefined) =>
    client.getJson('employees', BamboohrEmployeeListResponseSchema, {
      searchParams: {
        'page[limit]': limit,
        'page[after]': after,
        sort: 'employeeId',
        ...(config.roster === 'directory' ? { fields: 'workEmail' } : {}),
      },
      ...signalOf(ctx),
    });

  // https://documentation.bamboohr.com/reference/request-custom-report
  // postJson sends `Content-Type: application/json` exactly: with a charset BambooHR parses the body
  // as XML and answers 400 Malformed XML. onlyCurrent=false keeps future-dated values (future hires).
  const reportFor = async (client: HttpClient, ids: string[], ctx: SourceContext | undefined) =>
    // An empty `employeeIds` filter could read as "no filter": never ask for a report of nobody.
    ids.length === 0
      ? { employees: [] }
      : client.postJson(
          'reports/custom',
          { title: 'rosterflow roster', fields: reportFields, filters: { employeeIds: ids } },
          BamboohrCustomReportSchema,
          { searchParams: { format: 'JSON', onlyCurrent: 'false' }, ...signalOf(ctx) },
        );

  // https://github.com/BambooHR/bhr-api-python/blob/main/docs/EmployeesApi.md (get employees directory)
  // No paging: everyone in one response, read once per listing. onlyCurrent=false adds leavers.
  const directoryOf = async (client: HttpClient, ctx: SourceContext | undefined): Promise<Map<string, unknown>> => {
    try {
      const { employees } = await client.getJson('employees/directory', BamboohrDirectorySchema, {
        searchParams: { onlyCurrent: 'false' },
        ...signalOf(ctx),
      });
      return new Map(employees.map((entry) => [idOf(entry), entry]));
    } catch (err) {
      // The list call before it proved host and credentials: a 404 here is BambooHR's "directory is empty".
      if (isNotFound(err)) return new Map();
      throw err;
    }
  };

  return {
    type: 'bamboohr',
    async check(ctx) {
      await listPage(await connect(), undefined, 1, ctx);
    },
    async *listEmployees(ctx, resumeFrom) {
      let after = resumeFrom === undefined ? undefined : decodeCursor(PageCursorSchema, resumeFrom, VENDOR).after;
      if (after === null) return;
      const client = await connect();
      const mappers = createBamboohrMappers(config, new Date().toISOString().slice(0, 10));
      let directory: Promise<Map<string, unknown>> | undefined;

      for (;;) {
        const page = await listPage(client, after, config.pageSize, ctx);
        const next = page.meta.page.nextCursor || null;
        if (next !== null && next === after) {
          throw new RosterflowError('SourceInvalidResponse', `${VENDOR}: GET employees returned the same page cursor`);
        }
        if (page.data.length > 0) {
          const { listed, rejected } = parseListed(page.data);
          const rows =
            config.roster === 'directory'
              ? mapFromDirectory(listed, await (directory ??= directoryOf(client, ctx)), mappers)
              : mapFromReport(listed, await reportFor(client, idsOf(listed), ctx), mappers);
          yield { ...collectRows(rows, rejected), cursor: encodeCursor({ after: next }) };
        }
        if (next === null) return;
        after = next;
      }
    },
  };
}

function parseListed(data: unknown[]): { listed: BamboohrListEmployee[]; rejected: RowRejection[] } {
  const listed: BamboohrListEmployee[] = [];
  const rejected: RowRejection[] = [];
  data.forEach((item, index) => {
    const parsed = BamboohrListEmployeeSchema.safeParse(item);
    if (parsed.success) listed.push(parsed.data);
    else rejected.push({ row: `list item ${index + 1}`, field: 'employeeId', reason: 'is missing or not an id' });
  });
  return { listed, rejected };
}

/** Report rows in the list's order; someone listed but absent from the report is a rejected row, never skipped. */
function mapFromReport(
  listed: BamboohrListEmployee[],
  report: z.output<typeof BamboohrCustomReportSchema>,
  mappers: BamboohrMappers,
): MappedRow[] {
  const rows = new Map(report.employees.map((row) => [idOf(row), row]));
  return listed.map((employee) => {
    const row = rows.get(employee.employeeId);
    if (row === undefined) {
      const rejection = {
        row: `employee ${employee.employeeId}`,
        field: 'record',
        reason: 'is missing from the custom report',
      };
      return { ok: false, rejections: [rejection] };
    }
    return mappers.fromReport(row, employee.employeeId);
  });
}

/** The directory may leave people out (sharing settings): they keep what the list itself says. */
function mapFromDirectory(
  listed: BamboohrListEmployee[],
  directory: Map<string, unknown>,
  mappers: BamboohrMappers,
): MappedRow[] {
  return listed.map((employee) => mappers.fromDirectory(employee, directory.get(employee.employeeId)));
}

function collectRows(rows: MappedRow[], rejected: RowRejection[]): { records: Employee[]; rejected: RowRejection[] } {
  const records: Employee[] = [];
  for (const row of rows) {
    if (row.ok) records.push(row.employee);
    else rejected.push(...row.rejections);
  }
  return { records, rejected };
}

function idsOf(listed: BamboohrListEmployee[]): string[] {
  return listed.map((employee) => employee.employeeId);
}

function idOf(item: unknown): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}

function signalOf(ctx: SourceContext | undefined): Pick<RequestOptions, 'signal'> {
  return ctx?.signal ? { signal: ctx.signal } : {};
}

/** The shared HTTP layer reports a 404 as a rejected request naming the status. */
function isNotFound(err: unknown): boolean {
  return err instanceof RosterflowError && err.httpStatus === 404;
}
