import { basename } from 'node:path';
import { readField } from '../../core/field-path';
import type { ArtifactLayout } from '../sdk/layout';
import type { CsvFileTargetConfig } from './config';

const EMAIL_FIELDS = new Set(['workEmail', 'personalEmail', 'managerEmail']);

/** One file with the configured columns and separator; email columns must hold unique, valid addresses. */
export function createCsvFileLayouts(config: CsvFileTargetConfig): ArtifactLayout[] {
  const statuses = new Set(config.statuses);
  // Each column's reader, resolved once: a fixed value or a field path.
  const cells = config.columns.map((column) => {
    const { field, value } = column;
    return field === undefined
      ? () => value ?? ''
      : (employee: Parameters<ArtifactLayout['rowsFor']>[0]) => readField(employee, field) ?? '';
  });
  const headers = config.columns.map((column) => column.header);
  const emailHeaders = config.columns
    .filter((column) => column.field !== undefined && EMAIL_FIELDS.has(column.field))
    .map((column) => column.header);
  return [
    {
      fileName: basename(config.path),
      headers,
      rowsFor(employee) {
        if (!statuses.has(employee.status)) return [];
        return [cells.map((cell) => cell(employee))];
      },
      checks: { emails: emailHeaders, unique: emailHeaders },
      delimiter: config.delimiter,
      escapeFormulas: config.escapeFormulas,
      // A validated address is written as it is: a leading ' would make `-ada@x.org` another address.
      verbatim: emailHeaders,
    },
  ];
}
