import { basicAuth } from '../../io/auth';
import { IndexCursorSchema, decodeCursor, pagesOfList } from '../sdk/cursor';
import type { SourceConnector, SourceContext, SourceDeps } from '../sdk/source';
import type { HibobConfig } from './config';
import { createHibobMapper } from './mappers/to-employee';
import { HibobPeopleSearchResponseSchema } from './types';

const VENDOR = 'HiBob';

/** The fields a roster needs; custom ones are added from the config. */
const ROSTER_FIELDS = [
  'root.id',
  'root.firstName',
  'root.surname',
  'root.displayName',
  'root.email',
  'work.employeeIdInCompany',
  'work.title',
  'work.department',
  'work.site',
  'work.startDate',
  'work.reportsTo',
  'internal.status',
  'internal.lifecycleStatus',
  'internal.terminationDate',
  'payroll.employment.type',
];

export function createHibobSource(config: HibobConfig, deps: SourceDeps): SourceConnector {
  const client = async () =>
    deps.http({
      vendor: VENDOR,
      baseUrl: config.baseUrl,
      auth: basicAuth(
        config.serviceUserId,
        await deps.resolveSecret(config.serviceUserToken, 'source.serviceUserToken'),
      ),
    });

  // https://apidocs.hibob.com/reference/post_people-search
  // No paging: one response holds every matching employee; 50 requests per minute.
  const search = async (fields: string[], ctx: SourceContext | undefined) =>
    (await client()).postJson(
      '/people/search',
      // REPLACE: list fields (department, site, title) come back as their labels, not list-item ids.
      { fields, showInactive: config.showInactive, humanReadable: 'REPLACE' },
      HibobPeopleSearchResponseSchema,
      ctx?.signal ? { signal: ctx.signal } : {},
    );

  return {
    type: 'hibob',
    async check(ctx) {
      await search(['root.id'], ctx);
    },
    async *listEmployees(ctx, resumeFrom) {
      const startIndex = resumeFrom === undefined ? 0 : decodeCursor(IndexCursorSchema, resumeFrom, VENDOR).index;
      const fields = [...ROSTER_FIELDS, ...Object.values(config.customFields)];
      const { employees } = await search(fields, ctx);
      // Order by id so a re-read after a crash pages through the same sequence.
      const ordered = [...employees].sort((a, b) => idOf(a).localeCompare(idOf(b), 'en', { numeric: true }));
      yield* pagesOfList(ordered, { pageSize: config.pageSize, startIndex, map: createHibobMapper(config) });
    },
  };
}

function idOf(item: unknown): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : '';
}
