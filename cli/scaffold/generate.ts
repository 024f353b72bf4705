import { resolve } from 'node:path';
import { RosterflowError } from '../../core/errors';
import { problemWithName, scaffoldNames } from './names';
import type { ScaffoldNames } from './names';
import { configTemplate } from './templates/config';
import { definitionTemplate } from './templates/definition';
import { fakeTemplate } from './templates/fake';
import { mapperTemplate } from './templates/mapper';
import { sourceTemplate } from './templates/source';
import { testTemplate } from './templates/test';
import { typesTemplate } from './templates/types';
import { writeGeneratedFiles } from './write-files';
import type { GeneratedFile } from './write-files';

export type { GeneratedFile } from './write-files';

export interface ScaffoldOptions {
  /** The kebab-case name: the folder and the config `type`. */
  name: string;
  /** The rosterflow checkout to write into. */
  root: string;
  /** Types already registered; the new one must differ. */
  takenTypes: readonly string[];
}

export interface ScaffoldResult {
  names: ScaffoldNames;
  /** Written, relative to the root. */
  files: string[];
  /** False when Prettier could not be loaded and the files were written exactly as generated. */
  formatted: boolean;
}

/**
 * Everything `connectors new` writes for a name. Each template under templates/ is its generated file
 * as one template literal: `${n.pascal}` and the other names are filled in, an escaped `\${` is
 * written as it is. Keep them Prettier-clean and run the scaffold test after changing one.
 */
export function plannedFiles(names: ScaffoldNames): GeneratedFile[] {
  const folder = `connectors/${names.kebab}`;
  return [
    { path: `${folder}/config.ts`, content: configTemplate(names) },
    { path: `${folder}/types.ts`, content: typesTemplate(names) },
    { path: `${folder}/mappers/to-employee.ts`, content: mapperTemplate(names) },
    { path: `${folder}/source.ts`, content: sourceTemplate(names) },
    { path: `${folder}/index.ts`, content: definitionTemplate(names) },
    { path: `test/fakes/${names.kebab}/server.ts`, content: fakeTemplate(names) },
    { path: `test/connectors/${names.kebab}.test.ts`, content: testTemplate(names) },
  ];
}

/**
 * Writes a working connector skeleton, its fake and its test. Refuses a bad or taken name, and
 * refuses to touch a repository that already has any of the connector's folders or files: nothing
 * is written unless everything can be.
 */
export async function scaffoldConnector(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const problem = problemWithName(options.name, options.takenTypes, 'source');
  if (problem) throw new RosterflowError('InvalidInput', `connectors new: ${problem}`);

  const names = scaffoldNames(options.name);
  const claimed = [`connectors/${names.kebab}`, `test/fakes/${names.kebab}`, `test/connectors/${names.kebab}.test.ts`];
  const files = plannedFiles(names);
  const { formatted } = await writeGeneratedFiles('connectors new', resolve(options.root), claimed, files);
  return { names, files: files.map((file) => file.path), formatted };
}
