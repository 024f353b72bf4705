import type { ScaffoldNames } from '../names';

/** targets/<name>/layout.ts: the file the vendor takes, its header and its row checks. */
export function targetLayoutTemplate(n: ScaffoldNames): string {
  return `import type { Employee } from '../../core/employee';
import type { ArtifactLayout, CsvRow } from '../sdk/layout';
import type { ${n.pascal}TargetConfig } from './config';

/** The name the upload gives the file. TODO: the name the vendor expects, if it expects one. */
export const ${n.constant}_FILE_NAME = '${n.kebab}-users.csv';
const ID = 'External ID';
const EMAIL = 'Email';

/**
 * The one file ${n.vendor} imports: each person by the HR system's id and work email. TODO: the exact
 * header row and column order the vendor documents, and its own rules on a row (\`checks.rules\`).
 */
export function create${n.pascal}Layouts(config: ${n.pascal}TargetConfig): readonly ArtifactLayout[] {
  const statuses = new Set(config.statuses);
  const layout: ArtifactLayout = {
    fileName: ${n.constant}_FILE_NAME,
    headers: [ID, EMAIL, 'First Name', 'Last Name', 'Status'],
    rowsFor(employee: Employee): readonly CsvRow[] {
      if (!statuses.has(employee.status)) return [];
      return [
        [employee.sourceId, employee.workEmail ?? '', employee.firstName ?? '', employee.lastName ?? '', employee.status],
      ];
    },
    // What the vendor would refuse is refused here, row by row, by line and column, before anything is sent.
    checks: { required: [ID, EMAIL], emails: [EMAIL], unique: [ID, EMAIL] },
    // The keys the vendor matches people by arrive exactly as they are.
    verbatim: [ID, EMAIL],
  };
  return [layout];
}
`;
}
