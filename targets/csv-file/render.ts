import { stringify } from 'csv-stringify';
import type { Stringifier } from 'csv-stringify';
import { neutralizeFormula } from '../../core/csv-cells';
import type { Employee } from '../../core/employee';
import { readField } from '../../core/field-path';
import type { CsvFileTargetConfig } from './config';

/** Creates the CSV stream for this layout: header row first, then one row per written employee. */
export function createCsvFileRenderer(config: CsvFileTargetConfig) {
  const statuses = new Set(config.statuses);
  const stringifier: Stringifier = stringify({
    header: true,
    columns: config.columns.map((column) => column.header),
    delimiter: config.delimiter,
    record_delimiter: 'unix',
    quoted_match: /^\s|\s$/, // keep leading/trailing spaces visible to the receiver
  });

  return {
    stream: stringifier,
    /** Returns false when the employee is filtered out of this file. */
    toRow(employee: Employee): string[] | undefined {
      if (!statuses.has(employee.status)) return undefined;
      return config.columns.map((column) =>
        neutralizeFormula(
          column.field === undefined ? (column.value ?? '') : (readField(employee, column.field) ?? ''),
        ),
      );
    },
  };
}
