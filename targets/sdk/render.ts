import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Transform } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { RowRejection } from '../../connectors/sdk/source';
import type { Employee } from '../../core/employee';
import type { ArtifactLayout, CsvRow } from './layout';
import { createRowChecker } from './row-checks';

export interface RenderedFile {
  fileName: string;
  /** Where the bytes went (the artifact id in the store). */
  id: string;
  checksum: string;
  bytes: number;
  rows: number;
}

export interface RenderOutcome {
  files: RenderedFile[];
  /** Employees written to the files. */
  rendered: number;
  /** Employees no file wanted (for example leavers a target leaves out). */
  filteredOut: number;
  /** Employees refused by a row check; none of their rows is in any file. */
  rejected: number;
  /** The first rejections, by employee and column, never by value. */
  rejections: RowRejection[];
}

export type OpenOutput = (fileName: string) => Promise<{ id: string; stream: Writable }>;

const MAX_KEPT_REJECTIONS = 100;

/**
 * Streams employees through a target's layouts into CSV files (RFC 4180, UTF-8, header first).
 * An employee any of whose rows fails a check is left out of every file, so files never disagree
 * (a role without its user). Memory stays bounded by a page plus the unique-value sets.
 */
export async function renderArtifacts(
  layouts: readonly ArtifactLayout[],
  pages: AsyncIterable<readonly Employee[]>,
  openOutput: OpenOutput,
  onPage?: (progress: { rendered: number }) => void,
): Promise<RenderOutcome> {
  const outputs = await Promise.all(layouts.map((layout) => openCsvOutput(layout, openOutput)));
  const checkers = layouts.map(createRowChecker);
  const outcome: RenderOutcome = { files: [], rendered: 0, filteredOut: 0, rejected: 0, rejections: [] };

  for await (const page of pages) {
    for (const employee of page) {
      const rowsPerFile = layouts.map((layout) => layout.rowsFor(employee));
      if (rowsPerFile.every((rows) => rows.length === 0)) {
        outcome.filteredOut += 1;
        continue;
      }
      const label = `employee ${employee.sourceId}`;
      const problems = rowsPerFile.flatMap((rows, at) => rows.flatMap((row) => checkers[at]!.check(row, label)));
      if (problems.length > 0) {
        outcome.rejected += 1;
        outcome.rejections.push(...problems.slice(0, Math.max(0, MAX_KEPT_REJECTIONS - outcome.rejections.length)));
        continue;
      }
      for (const [at, rows] of rowsPerFile.entries()) {
        for (const row of rows) {
          checkers[at]!.commit(row);
          await outputs[at]!.write(row);
        }
      }
      outcome.rendered += 1;
    }
    onPage?.({ rendered: outcome.rendered });
  }

  for (const [at, layout] of layouts.entries()) {
    for (const row of layout.finish?.() ?? []) {
      const problems = checkers[at]!.check(row, `${layout.fileName} derived row`);
      // Derived rows (orgs, a manifest) come from our own code: a failing one is a bug, not bad data.
      if (problems.length > 0)
        throw new Error(`${layout.fileName}: a derived row fails its checks (${problems[0]!.field})`);
      checkers[at]!.commit(row);
      await outputs[at]!.write(row);
    }
    outcome.files.push(await outputs[at]!.end());
  }
  return outcome;
}

async function openCsvOutput(layout: ArtifactLayout, openOutput: OpenOutput) {
  const { id, stream } = await openOutput(layout.fileName);
  const csv = stringify({
    header: true,
    columns: [...layout.headers],
    delimiter: layout.delimiter ?? ',',
    record_delimiter: 'unix',
    // Keep leading and trailing spaces visible to the receiver.
    quoted_match: /^\s|\s$/,
  });
  const hash = createHash('sha256');
  let bytes = 0;
  let rows = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const written = pipeline(csv, measure, stream);
  // Observed at end(); until then a failure also surfaces through the next write.
  written.catch(() => undefined);
  return {
    async write(row: CsvRow) {
      rows += 1;
      // Respect backpressure so memory stays bounded by a page, not by the roster.
      if (!csv.write(row)) await once(csv, 'drain');
    },
    async end(): Promise<RenderedFile> {
      csv.end();
      await written;
      return { fileName: layout.fileName, id, checksum: `sha256:${hash.digest('hex')}`, bytes, rows };
    },
  };
}
