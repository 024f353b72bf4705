import { neutralizeFormula } from '../../core/csv-cells';
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
      // The address is the join key and is left exactly as it is: the email check below rejects
      // anything that is not an address, so it cannot carry a formula.
      return [[employee.workEmail ?? '', ...config.tags.map((tag) => tagCell(readField(employee, tag.field)))]];
    },
    checks: { required: [ALLSTACKS_EMAIL_HEADER], emails: [ALLSTACKS_EMAIL_HEADER], unique: [ALLSTACKS_EMAIL_HEADER] },
  };
  return [layout];
}

/** One line, no outer spaces (a whitespace-only value is no tag), and never a spreadsheet formula. */
function tagCell(value: string | undefined): string {
  const tag = (value ?? '').replace(/[\r\n]+/g, ' ').trim();
  return tag === '' ? '' : neutralizeFormula(tag);
}
