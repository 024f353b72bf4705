import { RosterflowError } from '../../core/errors';
import { basicAuth } from '../../io/auth';
import { IndexCursorSchema, decodeCursor, pagesOfList } from '../sdk/cursor';
import type { SourceConnector, SourceContext, SourceDeps } from '../sdk/source';
import type { WorkdayRaasConfig } from './config';
import { createWorkdayRaasMapper, readColumn } from './mappers/to-employee';
import type { PositionedEntry } from './mappers/to-employee';
import { WorkdayRaasReportEntrySchema, WorkdayRaasReportSchema } from './types';

const VENDOR = 'Workday';

export interface WorkdayRaasSourceOptions {
  /** The run's date as `YYYY-MM-DD` (UTC by default); tests pin it. */
  today?: () => string;
}

export function createWorkdayRaasSource(
  config: WorkdayRaasConfig,
  deps: SourceDeps,
  options: WorkdayRaasSourceOptions = {},
): SourceConnector {
  const today = options.today ?? (() => new Date().toISOString().slice(0, 10));
  const reportPath = `/${['ccx', 'service', 'customreport2', config.tenant, config.reportOwner, config.reportName]
    .map(encodeURIComponent)
    .join('/')}`;

  // Workday RaaS (docs behind a Community login; URL shape per specs/sources.md section 4):
  // https://doc.workday.com/admin-guide/en-us/integration/workday-reports/report-as-a-service-raas.html
  // One GET runs the whole report: no paging, no cheaper call. Without format=json Workday answers XML.
  const runReport = async (ctx: SourceContext | undefined): Promise<unknown[]> => {
    const client = deps.http({
      vendor: VENDOR,
      baseUrl: reportBaseUrl(config),
      auth: basicAuth(config.username, await deps.resolveSecret(config.password, 'source.password')),
      timeoutMs: config.timeoutSeconds * 1000,
    });
    try {
      const report = await client.getJson(reportPath, WorkdayRaasReportSchema, {
        // format last, so nothing can replace it (the config also refuses a `format` prompt).
        searchParams: { ...config.prompts, format: 'json' },
        ...(ctx?.signal ? { signal: ctx.signal } : {}),
      });
      return report.Report_Entry;
    } catch (err) {
      throw explainMissingReport(err);
    }
  };

  return {
    type: 'workday-raas',
    async check(ctx) {
      const entries = await runReport(ctx);
      // Column aliases are tenant-defined: a wrong id alias would reject every row, so say so now.
      const alias = config.columns.sourceId;
      if (entries.length > 0 && !entries.some((entry) => idOf(entry, config) !== undefined)) {
        throw new RosterflowError(
          'InvalidConfig',
          `${VENDOR}: the report's entries have no "${alias}" column (columns.sourceId); they have: ${columnsOf(entries).join(', ')}`,
        );
      }
    },
    async *listEmployees(ctx, resumeFrom) {
      const startIndex = resumeFrom === undefined ? 0 : decodeCursor(IndexCursorSchema, resumeFrom, VENDOR).index;
      const entries = await runReport(ctx);
      // Order by id so a re-run after a crash pages through the same sequence (Array#sort is stable).
      const ordered = entries
        .map((entry, position) => ({ entry, position, id: idOf(entry, config) ?? '' }))
        .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
      const map = createWorkdayRaasMapper(config, { today: today(), duplicatedIds: duplicates(ordered) });
      yield* pagesOfList<PositionedEntry>(ordered, { pageSize: config.pageSize, startIndex, map });
    },
  };
}

function reportBaseUrl(config: WorkdayRaasConfig): string {
  if (config.baseUrl !== undefined) return config.baseUrl;
  if (config.host !== undefined) return `https://${config.host}`;
  throw new RosterflowError('InvalidConfig', `${VENDOR}: set source.host (or source.baseUrl)`);
}

/** A 404 from RaaS nearly always means a wrong URL segment or a report not enabled as a web service. */
function explainMissingReport(err: unknown): unknown {
  if (!(err instanceof RosterflowError) || err.httpStatus !== 404) return err;
  return new RosterflowError(
    'SourceRequestRejected',
    `${err.message}. Check host, tenant, reportOwner and reportName, and that the report is enabled as a web service and shared with the integration user`,
    { cause: err },
  );
}

function idOf(entry: unknown, config: WorkdayRaasConfig): string | undefined {
  const row = WorkdayRaasReportEntrySchema.safeParse(entry);
  return row.success ? readColumn(row.data, config.columns, 'sourceId') : undefined;
}

function duplicates(entries: ReadonlyArray<{ id: string }>): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const { id } of entries) {
    if (id !== '' && seen.has(id)) repeated.add(id);
    seen.add(id);
  }
  return repeated;
}

/** The column aliases the entries carry (names only, never values), for a misconfiguration message. */
function columnsOf(entries: readonly unknown[]): string[] {
  const names = new Set<string>();
  for (const entry of entries.slice(0, 20)) {
    const row = WorkdayRaasReportEntrySchema.safeParse(entry);
    if (row.success) for (const name of Object.keys(row.data)) names.add(name);
  }
  return [...names].sort().slice(0, 40);
}
