import {
  ALLUDO_FILES,
  MANIFEST_FILE,
  MANIFEST_FILE_MODES,
  MANIFEST_FILE_PROPERTIES,
  MANIFEST_HEADERS,
  MANIFEST_VERSION,
  isFullProfile,
  oneRosterVersionOf,
} from './profiles';
import type { OneRosterProfile } from './profiles';
import { checkHeader, csvSink } from './validate-csv';
import type { CsvColumns, CsvRecord, FileRead, PackageProblem } from './validate-csv';
import type { ProblemLog } from './validate-problems';
import { ENTITIES } from './validate-rows';
import type { Entity, FileMode } from './validate-rows';

/** Where the package's contents (which files, the manifest) go in the report: first. */
export const CONTENTS_PLACE = [0];

export interface ContentsContext {
  profile: OneRosterProfile;
  /** The receiver's name in messages. */
  receiver: string;
  log: ProblemLog;
}

/** Alludo reads three loose files by exact name; anything else is ignored, which is worth knowing. */
export function alludoModes(names: readonly string[], context: ContentsContext): Map<Entity, FileMode> {
  const report = (problem: PackageProblem) => context.log.add(CONTENTS_PLACE, problem);
  const modes = new Map<Entity, FileMode>();
  for (const name of names) {
    if ((ALLUDO_FILES as readonly string[]).includes(name)) modes.set(name.replace(/\.csv$/, '') as Entity, 'alludo');
    else
      report({
        file: name,
        message: 'is not a file Alludo reads (only orgs.csv, users.csv and roles.csv); it would be ignored',
      });
  }
  // orgs.csv is optional for Alludo ("if all of the schools and groups have been created").
  for (const required of ['users', 'roles'] as const)
    if (!modes.has(required)) report({ file: `${required}.csv`, message: 'is missing from the package' });
  return modes;
}

/** Reads manifest.csv and checks it against the package; undefined when there is no usable manifest. */
export function* manifestModes(
  names: readonly string[],
  context: ContentsContext,
): Generator<FileRead, Map<Entity, FileMode> | undefined, undefined> {
  const file = MANIFEST_FILE;
  const report = (problem: PackageProblem) => context.log.add(CONTENTS_PLACE, problem);
  if (!names.includes(file)) {
    report({ file, message: 'is missing; a OneRoster package needs its manifest' });
    return undefined;
  }
  // A manifest is a few dozen rows: kept whole. Its row problems count only if it parses at all.
  const staged = context.log.staged();
  const read: { columns?: CsvColumns; records: CsvRecord[] } = { records: [] };
  const sink = csvSink(file, (problem) => staged.add(CONTENTS_PLACE, problem), {
    header: (columns) => (read.columns = columns),
    record: (record) => read.records.push(record),
  });
  yield { file, write: (chunk) => sink.write(chunk) };
  const unreadable = sink.end();
  // The sink reports a file without a header itself, so a readable manifest has its columns.
  if (unreadable) {
    report(unreadable);
    return undefined;
  }
  const csv = read.columns!;
  context.log.absorb(staged);
  checkHeader(csv, MANIFEST_HEADERS, 'forbidden', context.receiver, report);

  const known = new Set<string>([
    'manifest.version',
    'oneroster.version',
    ...MANIFEST_FILE_PROPERTIES,
    'source.systemName',
    'source.systemCode',
  ]);
  const values = new Map<string, { value: string; line: number }>();
  for (const record of read.records) {
    const property = csv.get(record, 'propertyName');
    const value = csv.get(record, 'value');
    const at = (message: string) => report({ file, line: record.line, column: 'propertyName', message });
    if (!known.has(property)) at(`has property "${property}", which is not a OneRoster manifest property`);
    else if (values.has(property)) at(`repeats property "${property}" (line ${values.get(property)?.line})`);
    else values.set(property, { value, line: record.line });
  }
  const expectValue = (property: string, expected: string) => {
    const found = values.get(property);
    if (found && found.value !== expected)
      report({ file, line: found.line, column: 'value', message: `${property} must be ${expected}` });
  };
  for (const property of known)
    if (!values.has(property)) report({ file, message: `is missing property "${property}"` });
  expectValue('manifest.version', MANIFEST_VERSION);
  if (isFullProfile(context.profile)) expectValue('oneroster.version', oneRosterVersionOf(context.profile));
  for (const property of ['source.systemName', 'source.systemCode']) {
    const found = values.get(property);
    if (found && !found.value.trim())
      report({ file, line: found.line, column: 'value', message: `${property} must be populated` });
  }

  const modes = new Map<Entity, FileMode>();
  const listed = new Set<string>([file]);
  for (const property of MANIFEST_FILE_PROPERTIES) {
    const found = values.get(property);
    if (!found) continue;
    const name = `${property.slice('file.'.length)}.csv`;
    listed.add(name);
    if (!(MANIFEST_FILE_MODES as readonly string[]).includes(found.value)) {
      report({ file, line: found.line, column: 'value', message: `${property} must be absent, bulk or delta` });
      continue;
    }
    const present = names.includes(name);
    if (found.value === 'absent' && present)
      report({ file: name, message: `is in the package but the manifest marks ${property} absent` });
    if (found.value !== 'absent' && !present)
      report({ file: name, message: `is missing, but the manifest marks ${property} ${found.value}` });
    const entity = property.slice('file.'.length);
    if (found.value !== 'absent' && present && (ENTITIES as readonly string[]).includes(entity))
      modes.set(entity as Entity, found.value as FileMode);
  }
  for (const name of names)
    if (!listed.has(name)) report({ file: name, message: 'is in the package but not a file the manifest lists' });
  return modes;
}
