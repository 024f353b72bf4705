import { stringify } from 'csv-stringify/sync';
import type { RowRejection } from '../../connectors/sdk/source';
import { targetCell } from '../../core/csv-cells';
import { rowLabelOf } from '../../core/employee';
import type { Employee } from '../../core/employee';
import { personRecord } from '../../report/person';
import type { PersonRecord } from '../../report/person';
import type { ArtifactLayout, CsvRow } from './layout';
import { createRowChecker } from './row-checks';

/** What the render made of the employees so far. */
export interface RenderTally {
  /** Employees written to the files. */
  rendered: number;
  /** Employees no file wanted (for example leavers a target leaves out). */
  filteredOut: number;
  /** Employees refused by a row check; none of their rows is in any file. */
  rejected: number;
  /** The first rejections, by employee and column, never by value. */
  rejections: RowRejection[];
  /** Data rows written to each file, in layout order. */
  rowsPerFile: number[];
}

const MAX_KEPT_REJECTIONS = 100;
const NO_ROWS: readonly CsvRow[] = [];

/** What a checkpoint keeps of a render in progress: small, whatever the roster's size. */
export interface RendererCheckpoint {
  tally: RenderTally;
  /**
   * Each stateful layout's `state.save()`, keyed by its index in layout order (an object, not an
   * array: FerretDB stores no arrays of arrays, and a saved state may be one).
   */
  layouts: Record<string, unknown>;
}

/** The unique-value hashes a page committed: per file, per unique column (row-checks.ts). */
export type PageUniques = bigint[][][];

/**
 * Turns employees into the bytes of a target's CSV files (RFC 4180, UTF-8, header first), one
 * page at a time, so the bytes of each page can be kept as a segment. A resumed render rebuilds its
 * state from a checkpoint (`checkpoint`, `restore`) and the unique values each kept page committed
 * (`takeUniques`), without seeing those employees again. Deterministic:
 * the same pages give the same bytes. An employee any of whose rows fails a check is left out of
 * every file, so files never disagree (a role without its user).
 */
export function createPageRenderer(
  layouts: readonly ArtifactLayout[],
  /** Also say what became of each person (report/person.ts), for the run's change report. */
  options: { people?: boolean } = {},
) {
  const checkers = layouts.map(createRowChecker);
  const cellsOf = layouts.map(createCellWriter);
  const widths = layouts.map((layout) => layout.headers.length);
  const csvOptions = layouts.map((layout) => ({
    columns: [...layout.headers],
    delimiter: layout.delimiter ?? ',',
    record_delimiter: 'unix' as const,
    // Keep leading and trailing spaces visible to the receiver.
    quoted_match: /^\s|\s$/,
  }));
  const tally: RenderTally = {
    rendered: 0,
    filteredOut: 0,
    rejected: 0,
    rejections: [],
    rowsPerFile: layouts.map(() => 0),
  };
  const toBytes = (at: number, rows: CsvRow[]) =>
    Buffer.from(rows.length === 0 ? '' : stringify(rows as string[][], { ...csvOptions[at], header: false }), 'utf8');

  return {
    tally,

    /** The unique-value hashes committed since the last call: kept with the page's bytes. */
    takeUniques(): PageUniques {
      return checkers.map((checker) => checker.takeCommitted());
    },

    checkpoint(): RendererCheckpoint {
      const states: Record<string, unknown> = {};
      for (const [at, layout] of layouts.entries()) if (layout.state) states[String(at)] = layout.state.save();
      return { tally: structuredClone(tally), layouts: states };
    },

    /** Takes back a checkpoint and the unique values of every page kept before it. */
    restore(saved: RendererCheckpoint, keptUniques: Iterable<readonly (readonly BigUint64Array[])[]>): void {
      Object.assign(tally, structuredClone(saved.tally));
      for (const [at, layout] of layouts.entries()) if (layout.state) layout.state.restore(saved.layouts[String(at)]);
      for (const page of keptUniques) for (const [at, checker] of checkers.entries()) checker.restore(page[at] ?? []);
    },

    /** Each file's header line. */
    header(): Buffer[] {
      return layouts.map((_layout, at) => Buffer.from(stringify([], { ...csvOptions[at], header: true }), 'utf8'));
    },

    /**
     * Each file's rows for one page of employees, and the source ids of the employees a check refused
     * (left out of every file: for a target that disables whoever is missing, as good as a leaver).
     */
    page(employees: readonly Employee[]): { files: Buffer[]; rejectedIds: string[]; people: PersonRecord[] } {
      const accepted: CsvRow[][] = layouts.map(() => []);
      const rejectedIds: string[] = [];
      const people: PersonRecord[] = [];
      // One employee's rows per file, reused from employee to employee.
      const rowsPerFile: (readonly CsvRow[])[] = layouts.map(() => NO_ROWS);
      for (const employee of employees) {
        let wanted = false;
        for (let at = 0; at < layouts.length; at += 1) {
          const rows = layouts[at]!.rowsFor(employee);
          rowsPerFile[at] = rows.length === 0 ? NO_ROWS : rows.map(cellsOf[at]!);
          if (rows.length > 0) wanted = true;
        }
        if (!wanted) {
          tally.filteredOut += 1;
          if (options.people) people.push(personRecord(employee, 'left-out'));
          continue;
        }
        let problems: RowRejection[] | undefined;
        for (let at = 0; at < layouts.length; at += 1) {
          for (const row of rowsPerFile[at]!) {
            const found = checkers[at]!.check(row);
            if (found.length === 0) continue;
            // Named only when refused: by line or id, never by value.
            const label = rowLabelOf(employee);
            (problems ??= []).push(...found.map(({ field, reason }) => ({ row: label, field, reason })));
          }
        }
        if (problems) {
          tally.rejected += 1;
          rejectedIds.push(employee.sourceId);
          tally.rejections.push(...problems.slice(0, Math.max(0, MAX_KEPT_REJECTIONS - tally.rejections.length)));
          if (options.people) people.push(personRecord(employee, 'refused'));
          continue;
        }
        if (options.people) people.push(personRecord(employee, 'delivered', { rowsPerFile, widths }));
        for (let at = 0; at < layouts.length; at += 1) {
          for (const row of rowsPerFile[at]!) {
            checkers[at]!.commit(row);
            accepted[at]!.push(row);
          }
        }
        tally.rendered += 1;
      }
      const files = accepted.map((rows, at) => {
        tally.rowsPerFile[at]! += rows.length;
        return toBytes(at, rows);
      });
      return { files, rejectedIds, people };
    },

    /** Each file's closing rows: those known only once every employee was seen (derived orgs, a manifest). */
    closing(): Buffer[] {
      return layouts.map((layout, at) => {
        const rows = (layout.finish?.() ?? []).map(cellsOf[at]!);
        for (const row of rows) {
          const problems = checkers[at]!.check(row);
          // Derived rows come from our own code: a failing one is a bug, not bad data.
          if (problems.length > 0)
            throw new Error(`${layout.fileName}: a derived row fails its checks (${problems[0]!.field})`);
          checkers[at]!.commit(row);
        }
        tally.rowsPerFile[at]! += rows.length;
        return toBytes(at, rows);
      });
    },
  };
}

/**
 * The cells of a row as the file holds them: every cell on one line, and, where the layout escapes
 * formulas, every cell but its verbatim ones formula-neutralised. Checks then see exactly what is sent.
 */
function createCellWriter(layout: ArtifactLayout): (row: CsvRow) => CsvRow {
  const verbatim = new Set(layout.verbatim ?? []);
  const escape = layout.headers.map((header) => layout.escapeFormulas === true && !verbatim.has(header));
  return (row) => row.map((cell, at) => targetCell(cell, escape[at] ?? false));
}
