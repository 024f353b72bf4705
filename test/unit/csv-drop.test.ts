import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CsvDropConfigSchema } from '../../connectors/csv-drop/config';
import { createCsvDropSource } from '../../connectors/csv-drop/source';
import { parseThreadsRunning } from '../../connectors/csv-drop/threaded-row-pages';
import { createSecretResolver } from '../../io/secrets';
import type { EmployeePage } from '../../connectors/sdk/source';
import { RosterflowError } from '../../core/errors';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rosterflow-csv-'));
});

async function file(content: string | Buffer): Promise<string> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.csv`);
  await writeFile(path, content);
  return path;
}

async function pages(path: string, options: Record<string, unknown> = {}, resumeFrom?: string) {
  const source = createCsvDropSource(CsvDropConfigSchema.parse({ type: 'csv', path, ...options }), {
    resolveSecret: createSecretResolver({}),
  });
  const result: EmployeePage[] = [];
  for await (const page of source.listEmployees({}, resumeFrom)) result.push(page);
  return result;
}

const header = 'sourceId,firstName,workEmail,status,hireDate\n';
const rows = Array.from(
  { length: 7 },
  (_, index) => `${index + 1},Person${index + 1},p${index + 1}@example.com,Active,2020-01-0${index + 1}`,
);

describe('csv drop source', () => {
  it('maps rows to canonical employees with normalised status and raw status kept', async () => {
    const [page] = await pages(await file(`${header}${rows[0]!}\n`));
    expect(page!.records).toEqual([
      {
        sourceId: '1',
        firstName: 'Person1',
        workEmail: 'p1@example.com',
        status: 'active',
        rawStatus: 'Active',
        hireDate: '2020-01-01',
        sourceLine: 2,
      },
    ]);
  });

  it('pages by pageSize and resumes after a cursor with exactly the remaining records', async () => {
    const path = await file(`${header}${rows.join('\n')}\n`);
    const all = await pages(path, { pageSize: 3 });
    expect(all.map((page) => page.records.map((record) => record.sourceId))).toEqual([
      ['1', '2', '3'],
      ['4', '5', '6'],
      ['7'],
    ]);
    const resumed = await pages(path, { pageSize: 3 }, all[0]!.cursor);
    expect(resumed.flatMap((page) => page.records.map((record) => record.sourceId))).toEqual(['4', '5', '6', '7']);
    expect(resumed.at(-1)!.cursor).toBe(all.at(-1)!.cursor);
  });

  it('rejects bad rows by line and field without quoting their values', async () => {
    const bad = [
      ',Nobody,n@example.com,Active,2020-01-01',
      '9,Mail,not-mail,Active,2020-01-01',
      '10,Status,s@example.com,Retired-ish,2020-01-01',
      '11,Date,d@example.com,Active,01/02/2020',
    ];
    const [page] = await pages(await file(`${header}${rows[0]!}\n${bad.join('\n')}\n`));
    expect(page!.records).toHaveLength(1);
    expect(page!.rejected).toEqual([
      { row: 'line 3', field: 'sourceId', reason: 'is required' },
      { row: 'line 4', field: 'workEmail', reason: 'is not a valid email address' },
      { row: 'line 5', field: 'status', reason: 'is not a known status word' },
      { row: 'line 6', field: 'hireDate', reason: 'must be an ISO date (YYYY-MM-DD)' },
    ]);
    expect(JSON.stringify(page!.rejected)).not.toMatch(/not-mail|Retired|01\/02/);
  });

  it('uses the configured header names, status words and custom fields', async () => {
    const path = await file('ID;Mail;State;Squad\n42;x@example.com;Beurlaubt;Blue\n');
    const [page] = await pages(path, {
      delimiter: ';',
      columns: { sourceId: 'ID', workEmail: 'Mail', status: 'State' },
      statusMap: { beurlaubt: 'leave' },
      customFields: { squad: 'Squad' },
    });
    expect(page!.records).toEqual([
      {
        sourceId: '42',
        workEmail: 'x@example.com',
        status: 'leave',
        rawStatus: 'Beurlaubt',
        customFields: { squad: 'Blue' },
        sourceLine: 2,
      },
    ]);
  });

  it('names a rejected row by its line and the column as the header has it, not the canonical field', async () => {
    const path = await file(
      'ID;Mail;State;Squad\n42;x@example.com;Beurlaubt;Blue\n42;not-mail;Gone;Red\n;y@example.com;State;\n',
    );
    const [page] = await pages(path, {
      delimiter: ';',
      columns: { sourceId: 'ID', workEmail: 'Mail', status: 'State' },
      statusMap: { beurlaubt: 'leave', state: 'active' },
    });
    expect(page!.rejected).toEqual([
      { row: 'line 3', field: 'State', reason: 'is not a known status word' },
      { row: 'line 4', field: 'ID', reason: 'is required' },
    ]);
    const repeated = await pages(await file('ID;Mail;State\n42;x@example.com;Active\n42;y@example.com;Active\n'), {
      delimiter: ';',
      columns: { sourceId: 'ID', workEmail: 'Mail', status: 'State' },
    });
    expect(repeated[0]!.rejected).toEqual([{ row: 'line 3', field: 'ID', reason: 'is already on line 2' }]);
  });

  it('reads a UTF-8 BOM and latin1 files', async () => {
    const bom = await pages(await file(`\uFEFF${header}1,Zoë,z@example.com,Active,2020-01-01\n`));
    expect(bom[0]!.records[0]).toMatchObject({ sourceId: '1', firstName: 'Zoë' });
    const latin1 = await pages(await file(Buffer.from(`${header}1,Zoë,z@example.com,Active,2020-01-01\n`, 'latin1')), {
      encoding: 'latin1',
    });
    expect(latin1[0]!.records[0]).toMatchObject({ firstName: 'Zoë' });
  });

  it('yields nothing for a header-only file', async () => {
    expect(await pages(await file(header))).toEqual([]);
  });

  it('fails the whole file when a mapped column is missing from the header', async () => {
    const err = await pages(await file('id,mail\n1,a@example.com\n'), {
      columns: { sourceId: 'id', workEmail: 'Work Email' },
    }).catch((error: unknown) => error);
    expect(err).toBeInstanceOf(RosterflowError);
    expect((err as RosterflowError).message).toBe(
      'csv source: the file header lacks the column(s) "Work Email" (source.columns.workEmail), "status" (required for status)',
    );
  });

  it('parses on a thread of its own, one at a time: a listing beside it parses in place, to the same pages', async () => {
    const many = Array.from(
      { length: 2_000 },
      (_, index) => `${index + 1},P${index},p${index}@example.com,Active,2020-01-01`,
    );
    const path = await file(`${header}${many.join('\n')}\n`);
    const source = () =>
      createCsvDropSource(CsvDropConfigSchema.parse({ type: 'csv', path, pageSize: 300 }), {
        resolveSecret: createSecretResolver({}),
      });
    const alone = await pages(path, { pageSize: 300 });
    const first = source().listEmployees()[Symbol.asyncIterator]();
    try {
      const firstPages = [(await first.next()).value as EmployeePage];
      expect(parseThreadsRunning()).toBe(1);
      // The second listing finds the thread taken: it parses here (no second thread), to the same pages.
      const besidePages: EmployeePage[] = [];
      for await (const page of source().listEmployees()) {
        expect(parseThreadsRunning()).toBe(1);
        besidePages.push(page);
      }
      for (let next = await first.next(); !next.done; next = await first.next()) firstPages.push(next.value);
      expect(parseThreadsRunning()).toBe(0);
      expect(firstPages).toEqual(alone);
      expect(besidePages).toEqual(alone);
    } finally {
      await first.return?.(undefined);
    }
    expect(alone.flatMap((page) => page.records)).toHaveLength(2_000);

    // Cancelled, either way: the listing stops with the AbortError and lets the thread go.
    for (const beside of [false, true]) {
      const holder = beside ? source().listEmployees()[Symbol.asyncIterator]() : undefined;
      try {
        if (holder) await holder.next();
        const controller = new AbortController();
        const cancelled = (async () => {
          for await (const _page of source().listEmployees({ signal: controller.signal })) {
            // Beside a running thread this listing parses in place; alone it has the thread.
            expect(parseThreadsRunning()).toBe(1);
            controller.abort();
          }
        })();
        await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
      } finally {
        await holder?.return?.(undefined);
      }
      expect(parseThreadsRunning()).toBe(0);
    }
  });

  it('reports malformed CSV by line, and a missing file by path', async () => {
    const malformed = await pages(await file(`${header}1,"unclosed,a@example.com,Active,2020-01-01\n`)).catch(
      (error: unknown) => error,
    );
    expect((malformed as RosterflowError).type).toBe('InvalidInput');
    expect((malformed as RosterflowError).message).toBe('csv source: malformed CSV at line 2: a quote is never closed');
    // A quote never closed in a large file: the record is cut off at a million characters, not read to the end.
    const runaway = `${header}${rows[0]!}\n2,"Unclosed,b@example.com,Active,2020-01-02\n${`${rows[2]!}\n`.repeat(30_000)}`;
    const cutOff = await pages(await file(runaway)).catch((error: unknown) => error);
    expect((cutOff as RosterflowError).message).toBe(
      'csv source: malformed CSV at line 3: a record over 1,000,000 characters, most likely a quote never closed',
    );
    const missing = await pages(join(dir, 'absent.csv')).catch((error: unknown) => error);
    expect((missing as RosterflowError).type).toBe('SourceUnavailable');
    expect((missing as RosterflowError).retryable).toBe(false);
    expect((missing as RosterflowError).message).toBe(
      `csv source: no file at ${join(dir, 'absent.csv')} (source.path; a relative path is read from the config file's folder)`,
    );
  });
});
