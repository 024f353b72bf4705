import { CsvDropFolder } from '../fakes/csv-file/drop-folder';
import { csvColumn } from '../fakes/support/csv-column';
import { exampleConfig } from '../support/example-config';
import { describeTargetConformance } from '../support/target-conformance';

const FILE = 'people.csv';

describeTargetConformance<CsvDropFolder>({
  type: 'csv-file',
  start: () => CsvDropFolder.start(),
  close: (folder) => folder.close(),
  // The example config's own columns (Email first), written into the folder.
  target: (folder) => ({ ...exampleConfig().syncs[0]!.target, path: folder.path(FILE) }),
  received: async (folder) => csvColumn((await folder.read(FILE)) ?? '', 'Email'),
  writes: (folder) => folder.placed(FILE),
  // The target writes `<path>.rosterflow-<runId>.tmp` (targets/csv-file/deliver.ts), then renames it
  // into place: the write of that temporary file is what is held.
  holdDelivery: (folder, runId) => folder.holdWrite(`${folder.path(FILE)}.rosterflow-${runId}.tmp`),
});
