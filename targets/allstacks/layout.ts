import type { Employee } from '../../core/employee';
import { readField } from '../../core/field-path';
import type { ArtifactLayout, CsvRow } from '../sdk/layout';
import { ALLSTACKS_EMAIL_HEADER } from './config';
import type { AllstacksTargetConfig } from './config';

/** Only the multipart field name matters to Allstacks; this name is what its email notices show. */
export const ALLSTACKS_FILE_NAME = 'allstacks-roster.csv';

/**
 * The one roster file Allstacks takes: `Email` first (the render step must write no byte-order mark,
 * or the first header is no longer exactly `Email`), then one column per configured tag category in
 * config order, repeated categories included. A missing tag is a blank cell, which Allstacks ignores.
 */
export function createAllstacksLayouts(config: AllstacksTargetConfig): readonly ArtifactLayout[] {
  const statuses = new Set(config.statuses);
  const layout: ArtifactLayout = {
    fileName: ALLSTACKS_FILE_NAME,
    headers: [ALLSTACKS_EMAIL_HEADER, ...config.tags.map((tag) => tag.category)],
    rowsFor(employee: Employee): readonly CsvRow[] {
      if (!statuses.has(employee.status)) return [];
      return [[employee.workEmail ?? '', ...config.tags.map((tag) => tagCell(readField(employee, tag.field)))]];
    },
    checks: { required: [ALLSTACKS_EMAIL_HEADER], emails: [ALLSTACKS_EMAIL_HEADER], unique: [ALLSTACKS_EMAIL_HEADER] },
    escapeFormulas: config.escapeFormulas,
    // The address is the join key and is left exactly as it is: the email check rejects anything that
    // is not an address.
    verbatim: [ALLSTACKS_EMAIL_HEADER],
  };
  return [layout];
}

/** No outer spaces: a whitespace-only value is no tag. (The renderer puts every cell on one line.) */
function tagCell(value: string | undefined): string {
  return (value ?? '').trim();
}
