import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CsvDropConfigSchema } from '../connectors/csv-drop/config';
import { createCsvDropSource } from '../connectors/csv-drop/source';
import type { Employee } from '../core/employee';
import { CsvFileTargetConfigSchema } from '../targets/csv-file/config';
import { createCsvFileLayouts } from '../targets/csv-file/layout';
import { renderArtifacts } from '../targets/sdk/render';
import { writeExport } from './export';
import { CSV_FILE_COLUMNS, SOURCE_COLUMNS } from './targets';

/**
 * `npm run bench:parts` (first half): an HR export of BENCH_ROWS rows (default 1,000,000) read by the CSV drop source and
 * rendered through a csv-file layout, as the extract and render steps do (without the store).
 * Prints throughput and peak memory: memory must stay bounded by a page, not grow with the roster.
 */
const ROWS = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rosterflow-bench-'));
  let peakRss = 0;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  try {
    const path = join(dir, 'export.csv');
    await writeExport(path, ROWS);
    const baselineRss = process.memoryUsage().rss;

    const source = createCsvDropSource(
      CsvDropConfigSchema.parse({
        type: 'csv',
        path,
        columns: SOURCE_COLUMNS,
      }),
      { resolveSecret: () => Promise.reject(new Error('no secrets')) },
    );
    const layouts = createCsvFileLayouts(
      CsvFileTargetConfigSchema.parse({
        type: 'csv-file',
        path: join(dir, 'out.csv'),
        columns: [...CSV_FILE_COLUMNS],
      }),
    );

    let pulled = 0;
    async function* pages(): AsyncIterable<Employee[]> {
      for await (const page of source.listEmployees()) {
        pulled += page.records.length;
        yield page.records;
      }
    }
    let bytes = 0;
    const started = process.hrtime.bigint();
    const outcome = await renderArtifacts(layouts, pages(), () =>
      Promise.resolve({
        id: 'bench',
        stream: new Writable({
          write(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            done();
          },
        }),
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sample);
    const mb = (value: number) => `${(value / 1024 / 1024).toFixed(0)} MB`;
    console.log(`rows in export        ${ROWS}`);
    console.log(`employees pulled      ${pulled}`);
    console.log(`employees rendered    ${outcome.rendered} (${outcome.filteredOut} leavers left out)`);
    console.log(`output                ${mb(bytes)}`);
    console.log(`extract + render      ${seconds.toFixed(1)} s, ${Math.round(pulled / seconds)} employees/s`);
    console.log(`peak RSS              ${mb(peakRss)} (before the pass: ${mb(baselineRss)})`);
  } finally {
    clearInterval(sample);
    await rm(dir, { recursive: true, force: true });
  }
}

run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
