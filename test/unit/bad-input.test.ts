import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load';
import { CsvDropConfigSchema } from '../../connectors/csv-drop/config';
import type { CsvDropConfig } from '../../connectors/csv-drop/config';
import { createCsvDropSource } from '../../connectors/csv-drop/source';
import type { EmployeePage, RowRejection } from '../../connectors/sdk/source';
import type { Employee } from '../../core/employee';
import { RosterflowError } from '../../core/errors';
import type { CsvFileTargetConfig } from '../../targets/csv-file/config';
import { createCsvFileLayouts } from '../../targets/csv-file/layout';
import { renderArtifacts } from '../../targets/sdk/render';
import { BAD_INPUT_CASES } from './bad-input.cases';
import type { BadInputCase } from './bad-input.cases';

/**
 * Runs every file of the bad-input corpus (test/fixtures/bad-input/, outcomes in
 * bad-input.cases.ts) through the real CSV drop source with the column mapping of
 * examples/rosterflow.yaml, and what it accepts through that example's csv-file layout, in memory.
 */
const REPO_ROOT = resolve(__dirname, '..', '..');
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'bad-input');
const noSecrets = { resolveSecret: () => Promise.reject(new Error('a local drop needs no secret')) };

let exampleSource: CsvDropConfig;
let exampleTarget: CsvFileTargetConfig;
beforeAll(async () => {
  const config = await loadConfig(join(REPO_ROOT, 'examples', 'rosterflow.yaml'));
  const sync = config.syncs.find((candidate) => candidate.id === 'acme-people');
  if (sync?.source.type !== 'csv' || sync.target.type !== 'csv-file') {
    throw new Error('the example sync acme-people reads a CSV drop into a csv-file target');
  }
  exampleSource = sync.source;
  exampleTarget = sync.target;
});

type Listing = { ok: true; pages: EmployeePage[] } | { ok: false; error: unknown };

async function list(testCase: BadInputCase, pageSize?: number, resumeFrom?: string): Promise<Listing> {
  const config = CsvDropConfigSchema.parse({
    ...exampleSource,
    path: join(FIXTURES, testCase.file),
    ...testCase.config,
    ...(pageSize === undefined ? {} : { pageSize }),
  });
  const pages: EmployeePage[] = [];
  try {
    for await (const page of createCsvDropSource(config, noSecrets).listEmployees({}, resumeFrom)) pages.push(page);
  } catch (error) {
    return { ok: false, error };
  }
  return { ok: true, pages };
}

const recordsOf = (pages: readonly EmployeePage[]) => pages.flatMap((page) => page.records);
const rejectionsOf = (pages: readonly EmployeePage[]) => pages.flatMap((page) => page.rejected);

async function render(records: Employee[]) {
  const chunks: Buffer[] = [];
  const outcome = await renderArtifacts(createCsvFileLayouts(exampleTarget), Readable.from([records]), (fileName) => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return Promise.resolve({ id: fileName, stream });
  });
  return { outcome, csv: Buffer.concat(chunks).toString('utf8') };
}

/**
 * The file's data cells (every line after the header), read as UTF-8 and as Windows-1252 and
 * split at delimiters, quotes and line breaks. Pieces shorter than 4 characters are left out:
 * they would match inside any sentence.
 */
function cellValues(file: string): string[] {
  const bytes = readFileSync(join(FIXTURES, file));
  const values = new Set<string>();
  for (const text of [bytes.toString('utf8'), iconv.decode(bytes, 'windows-1252')]) {
    const body = text.slice(text.indexOf('\n') + 1);
    for (const piece of body.split(/[,;"\r\n]/)) {
      const value = piece.trim();
      if (value.length >= 4) values.add(value.toLowerCase());
    }
  }
  return [...values];
}

/** No reason and no error message (causes included) may quote a cell: run reports carry no employee data. */
function expectNoCellValues(file: string, texts: readonly string[]): void {
  const cells = cellValues(file);
  for (const text of texts) {
    const leaked = cells.filter((cell) => text.toLowerCase().includes(cell));
    expect(leaked, `"${text}" quotes the file`).toEqual([]);
  }
}

function messagesOf(error: unknown): string[] {
  const messages: string[] = [];
  for (let at: unknown = error; at instanceof Error; at = at.cause) messages.push(at.message);
  return messages;
}

describe('bad-input corpus: the CSV drop source and the csv-file layout', () => {
  it('has a case for every fixture file and a fixture for every case', () => {
    const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.csv'));
    expect([...new Set(BAD_INPUT_CASES.map((testCase) => testCase.file))].sort()).toEqual(files.sort());
    expect(new Set(BAD_INPUT_CASES.map((testCase) => testCase.name)).size).toBe(BAD_INPUT_CASES.length);
  });

  it('keeps the byte-level fixtures as written (an editor re-saving them would change the cases)', () => {
    const bytes = (file: string) => readFileSync(join(FIXTURES, file));
    expect(bytes('empty.csv').length).toBe(0);
    expect([...bytes('utf8-bom.csv').subarray(0, 4)]).toEqual([0xef, 0xbb, 0xbf, 0x45]);
    const ansi = bytes('windows-1252.csv');
    // é, ü, ç, Ž, Š, á, en dash and € as single bytes; no UTF-8 sequence, CRLF line ends.
    for (const byte of [0xe9, 0xfc, 0xe7, 0x8e, 0x8a, 0xe1, 0x96, 0x80]) expect(ansi.includes(byte)).toBe(true);
    expect(ansi.includes(Buffer.from('é'))).toBe(false);
    expect(ansi.toString('latin1').split('\r\n')).toHaveLength(5);
    expect(bytes('multiline-line-numbers.csv').toString('utf8').split('\r\n')).toHaveLength(12);
    expect(bytes('long-fields.csv').length).toBe(202_897);
  });

  for (const testCase of BAD_INPUT_CASES) {
    const { expect: expected } = testCase;
    it(`${testCase.file}${testCase.config ? ` with ${JSON.stringify(testCase.config)}` : ''}: ${testCase.name}`, async () => {
      const listing = await list(testCase);

      if (expected.kind === 'file-fails') {
        expect(listing.ok, 'the listing should fail').toBe(false);
        const error = (listing as { error: unknown }).error;
        expect(error).toBeInstanceOf(RosterflowError);
        expectNoCellValues(testCase.file, messagesOf(error));
        expect({ type: (error as RosterflowError).type, message: (error as RosterflowError).message }).toEqual({
          type: expected.type,
          message: expected.message,
        });
        return;
      }

      if (!listing.ok) throw listing.error;
      const records = recordsOf(listing.pages);
      const sourceRejections: RowRejection[] = expected.kind === 'rows-rejected' ? expected.rejections : [];
      const renderRejections: RowRejection[] = expected.kind === 'render-rejected' ? expected.rejections : [];
      expectNoCellValues(
        testCase.file,
        rejectionsOf(listing.pages).map((rejection) => rejection.reason),
      );
      expect(rejectionsOf(listing.pages)).toEqual(sourceRejections);
      expect(records).toHaveLength(expected.records);
      if ('employees' in expected && expected.employees) expect(records).toMatchObject(expected.employees);

      if (records.length === 0) {
        // Nothing reaches rendering: the run stops with SourceEmpty first.
        expect(expected.render).toBeUndefined();
        return;
      }
      expect(expected.render, 'a case whose records reach rendering says what is rendered').toBeDefined();
      const { outcome, csv } = await render(records);
      expectNoCellValues(
        testCase.file,
        outcome.rejections.map((rejection) => rejection.reason),
      );
      expect({
        rendered: outcome.rendered,
        filteredOut: outcome.filteredOut,
        rejected: outcome.rejected,
        rejections: outcome.rejections,
      }).toEqual({
        rendered: expected.render!.rendered,
        filteredOut: expected.render!.filteredOut,
        rejected: renderRejections.length,
        rejections: renderRejections,
      });
      expect(csv).toBe(expected.render!.csv);
      expect(outcome.files).toMatchObject([
        { fileName: 'acme-people.csv', rows: expected.render!.rendered, bytes: Buffer.byteLength(csv) },
      ]);
    });
  }

  it('names each outcome by what it holds: rejections only where the kind says so', () => {
    for (const { name, expect: expected } of BAD_INPUT_CASES) {
      if (expected.kind === 'rows-rejected' || expected.kind === 'render-rejected') {
        expect(expected.rejections.length, name).toBeGreaterThan(0);
      }
      if (expected.kind === 'accepted' && expected.records > 0) expect(expected.render, name).toBeDefined();
    }
  });

  it('a listing resumed from any page cursor yields exactly the rest, rejections and their lines included', async () => {
    for (const testCase of BAD_INPUT_CASES.filter((candidate) => candidate.expect.kind !== 'file-fails')) {
      const whole = await list(testCase, 2);
      if (!whole.ok) throw whole.error;
      for (const [at, page] of whole.pages.entries()) {
        const resumed = await list(testCase, 2, page.cursor);
        if (!resumed.ok) throw resumed.error;
        expect(resumed.pages, `${testCase.file} resumed after page ${at + 1}`).toEqual(whole.pages.slice(at + 1));
      }
    }
  });
});
