import { z } from 'zod';
import { RosterflowError } from '../../core/errors';
import type { Employee } from '../../core/employee';
import type { MappedRow } from './mapping';
import type { EmployeePage, RowRejection } from './source';

/** Cursors are opaque to the platform: base64url JSON that only the connector reads back. */
export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string, vendor: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new RosterflowError('InvalidInput', `${vendor}: the resume cursor is not one this connector wrote`);
  return parsed.data;
}

/** The cursor of sources that answer with one list: how many items of it were consumed. */
export const IndexCursorSchema = z.object({ index: z.int().min(0) });

/**
 * For APIs that return every employee in one response (HiBob, Workday RaaS): maps the items and
 * yields them in pages of `pageSize`, each page's cursor the index after it. A resumed listing
 * fetches again and skips to the index, so it yields exactly the remaining items.
 */
export function* pagesOfList<T>(
  items: readonly T[],
  options: { pageSize: number; startIndex: number; map: (item: T, index: number) => MappedRow },
): Generator<EmployeePage> {
  for (let start = options.startIndex; start < items.length; start += options.pageSize) {
    const end = Math.min(start + options.pageSize, items.length);
    const records: Employee[] = [];
    const rejected: RowRejection[] = [];
    for (let index = start; index < end; index += 1) {
      const mapped = options.map(items[index] as T, index);
      if (mapped.ok) records.push(mapped.employee);
      else rejected.push(...mapped.rejections);
    }
    yield { records, rejected, cursor: encodeCursor({ index: end }) };
  }
}
