import type { Employee } from '../../core/employee';

/** A row as written: one string per header, in header order. */
export type CsvRow = readonly string[];

/** Checks the render step applies to every row of a file before anything is delivered. */
export interface RowChecks {
  /** Headers whose cells must not be empty; a row missing one is rejected. */
  required?: readonly string[];
  /** Headers whose non-empty cells must be valid email addresses. */
  emails?: readonly string[];
  /** Headers whose values must be unique within the file (compared case-insensitively for emails). */
  unique?: readonly string[];
  /**
   * The target's own rules on a whole row (OneRoster's cell rules, a date order); each problem names
   * a header. Whatever a target cannot take is refused here, row by row, never for the whole file.
   */
  rules?: (row: CsvRow) => readonly RowProblem[];
}

/** One reason a row cannot be sent, by header, never by value. */
export interface RowProblem {
  field: string;
  reason: string;
}

/**
 * One CSV file a target receives: its exact name and header order, and how employees become rows.
 * A layout instance is used for one render pass, so it may accumulate state (OneRoster's orgs). What
 * it keeps past the employee at hand, it keeps as its own copy (`ownString`, core/own-string.ts): an
 * employee's values may be slices of a whole page's text, which a kept slice would hold in memory.
 */
export interface ArtifactLayout {
  /** The file name the target expects, e.g. `users.csv`. */
  fileName: string;
  /** The exact header row, in the target's order. */
  headers: readonly string[];
  /** The rows one employee contributes: none (left out), one, or several (roles). */
  rowsFor(employee: Employee): readonly CsvRow[];
  /** Rows known only once every employee was seen (derived orgs, a manifest). */
  finish?(): readonly CsvRow[];
  /**
   * For a layout that accumulates (what `finish` writes): its state as JSON for the render's
   * checkpoint, and how a resumed render takes it back (checked, it comes from the store). Kept small:
   * it is saved at every checkpoint.
   */
  state?: LayoutState;
  checks?: RowChecks;
  /** The cell separator; a comma unless the target asks for another. */
  delimiter?: string;
  /**
   * Whether the renderer gives cells a spreadsheet would run as a formula a leading `'` (the target's
   * `escapeFormulas`). Every cell is made one line either way (core/csv-cells.ts).
   */
  escapeFormulas?: boolean;
  /** Headers never formula-escaped: keys the receiver matches by (ids, addresses) must arrive as they are. */
  verbatim?: readonly string[];
}

export interface LayoutState {
  save(): unknown;
  restore(saved: unknown): void;
}

/** Builds fresh layouts for one render pass. */
export type TargetLayoutFactory = () => readonly ArtifactLayout[];
