import { z } from 'zod';
import { Hash64Set, hash64 } from '../../core/hash64';
import type { ArtifactLayout, CsvRow, RowProblem } from './layout';

// The pattern z.email() checks with, tested directly: a million rows need no result objects.
const EMAIL = z.regexes.email;

/**
 * Applies a layout's row checks. `check` only looks; `commit` records an accepted row's unique
 * values, so a rejected employee does not block a later valid one with the same value. Unique values
 * are kept as 64-bit hashes (core/hash64.ts); those committed since the last `takeCommitted` are
 * handed out per column, so a resumed render can `restore` them without seeing the rows again.
 */
export function createRowChecker(layout: ArtifactLayout) {
  const index = (header: string) => layout.headers.indexOf(header);
  const required = (layout.checks?.required ?? []).map((header) => ({ header, at: index(header) }));
  const emails = (layout.checks?.emails ?? []).map((header) => ({ header, at: index(header) }));
  const unique = (layout.checks?.unique ?? []).map((header) => ({
    header,
    at: index(header),
    seen: new Hash64Set(),
    committed: [] as bigint[],
    emailLike: (layout.checks?.emails ?? []).includes(header),
  }));
  const keyOf = (value: string, emailLike: boolean) => hash64(emailLike ? value.toLowerCase() : value);
  const rules = layout.checks?.rules;
  // The keys `check` hashed for the row it looked at last (reused, one row at a time): `commit` of
  // that row reuses them.
  let checkedRow: CsvRow | undefined;
  const checkedKeys: (bigint | undefined)[] = unique.map(() => undefined);
  const NONE: readonly RowProblem[] = [];

  return {
    /** The row's problems, by column; the same empty list when it has none (a million rows, no garbage). */
    check(row: CsvRow): readonly RowProblem[] {
      let problems: RowProblem[] | undefined;
      const reject = (field: string, reason: string) => (problems ??= []).push({ field, reason });
      for (const { header, at } of required) if (!row[at]) reject(header, `is required in ${layout.fileName}`);
      for (const { header, at } of emails) {
        const value = row[at];
        if (value && !EMAIL.test(value)) reject(header, 'is not a valid email address');
      }
      checkedRow = row;
      for (let index = 0; index < unique.length; index += 1) {
        const { header, at, seen, emailLike } = unique[index]!;
        const value = row[at];
        const key = value ? keyOf(value, emailLike) : undefined;
        checkedKeys[index] = key;
        if (key !== undefined && seen.has(key))
          reject(header, `repeats a value an earlier row of ${layout.fileName} has`);
      }
      // One reason per column: a target rule repeating a generic check's finding adds nothing.
      if (rules)
        for (const { field, reason } of rules(row))
          if (!problems?.some((problem) => problem.field === field)) reject(field, reason);
      return problems ?? NONE;
    },
    commit(row: CsvRow): void {
      const keys = checkedRow === row ? checkedKeys : undefined;
      for (const [index, { at, seen, committed, emailLike }] of unique.entries()) {
        const value = row[at];
        if (!value) continue;
        const key = keys?.[index] ?? keyOf(value, emailLike);
        seen.add(key);
        committed.push(key);
      }
    },
    /** The unique-value hashes committed since the last call, one list per unique column. */
    takeCommitted(): bigint[][] {
      return unique.map((column) => column.committed.splice(0));
    },
    /** Takes back hashes an earlier attempt committed (from `takeCommitted`), in the same column order. */
    restore(columns: readonly (readonly bigint[] | BigUint64Array)[]): void {
      for (const [index, column] of unique.entries()) for (const key of columns[index] ?? []) column.seen.add(key);
    },
  };
}
