import type { ScaffoldNames } from '../names';

/** connectors/<name>/source.ts: check() and the paged, resumable listing, HTTP through deps.http. */
export function sourceTemplate(n: ScaffoldNames): string {
  return `import { z } from 'zod';
import type { Employee } from '../../core/employee';
import { bearerAuth } from '../../io/auth';
import { decodeCursor, encodeCursor } from '../sdk/cursor';
import type { HttpClient } from '../../io/http';
import type { MappedRow } from '../sdk/mapping';
import type { EmployeePage, RowRejection, SourceConnector, SourceContext, SourceDeps } from '../sdk/source';
import type { ${n.pascal}Config } from './config';
import { create${n.pascal}Mapper } from './mappers/to-employee';
import { ${n.pascal}EmployeePageSchema } from './types';

/** Starts every error message. TODO: the vendor's name as operators know it. */
const VENDOR = '${n.vendor}';

/** Where a resumed listing continues: the offset of the first employee not yet yielded. */
const ${n.pascal}CursorSchema = z.object({ offset: z.int().min(0) });

export function create${n.pascal}Source(config: ${n.pascal}Config, deps: SourceDeps): SourceConnector {
  // The token is read just before use, through the platform's resolver; never logged.
  const client = async (): Promise<HttpClient> =>
    deps.http({
      vendor: VENDOR,
      baseUrl: config.baseUrl,
      auth: bearerAuth(await deps.resolveSecret(config.apiToken, 'source.apiToken')),
    });

  // TODO: replace with the vendor's doc link for this endpoint:
  // https://developers.${n.kebab}.example.com/reference/list-employees
  // Offset paging in id order. TODO: the vendor's paging (a next-page cursor beats an offset when
  // people are added mid-listing), its sort order and its rate limit.
  const listPage = (http: HttpClient, offset: number, limit: number, ctx: SourceContext | undefined) =>
    http.getJson('/employees', ${n.pascal}EmployeePageSchema, {
      searchParams: { limit, offset },
      ...(ctx?.signal ? { signal: ctx.signal } : {}),
    });

  return {
    type: '${n.kebab}',
    async check(ctx) {
      // One employee: the cheapest call that proves the token. TODO: the vendor's cheapest authenticated call.
      await listPage(await client(), 0, 1, ctx);
    },
    async *listEmployees(ctx, resumeFrom) {
      let offset = resumeFrom === undefined ? 0 : decodeCursor(${n.pascal}CursorSchema, resumeFrom, VENDOR).offset;
      const http = await client();
      const map = create${n.pascal}Mapper(config);
      for (;;) {
        const page = await listPage(http, offset, config.pageSize, ctx);
        // No more employees (or none at all): stop without yielding an empty page.
        if (page.data.length === 0) return;
        const mapped = page.data.map((item, index) => map(item, offset + index));
        // Advance by what came back, not by what was asked for: vendors may cap a page lower.
        offset += page.data.length;
        yield pageOf(mapped, encodeCursor({ offset }));
        if (offset >= page.total) return;
      }
    },
  };
}

function pageOf(rows: MappedRow[], cursor: string): EmployeePage {
  const records: Employee[] = [];
  const rejected: RowRejection[] = [];
  for (const row of rows) {
    if (row.ok) records.push(row.employee);
    else rejected.push(...row.rejections);
  }
  return { records, rejected, cursor };
}
`;
}
