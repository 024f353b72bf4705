import { basename } from 'node:path';
import { readField } from '../../core/field-path';
import type { ArtifactLayout } from '../sdk/layout';
import type { CsvFileTargetConfig } from './config';

const EMAIL_FIELDS = new Set(['workEmail', 'personalEmail', 'managerEmail']);

/** One file with the configured columns and separator; email columns must hold unique, valid addresses. */
export function createCsvFileLayouts(config: CsvFileTargetConfig): ArtifactLayout[] {
  const statuses = new Set(config.statuses);
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
        return [
          config.columns.map((column) =>
            column.field === undefined ? (column.value ?? '') : (readField(employee, column.field) ?? ''),
          ),
        ];
      },
      checks: { emails: emailHeaders, unique: emailHeaders },
      delimiter: config.delimiter,
      escapeFormulas: config.escapeFormulas,
      // A validated address is written as it is: a leading ' would make `-ada@x.org` another address.
      verbatim: emailHeaders,
    },
  ];
}
