import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { RosterflowError } from '../../core/errors';
import { connectorNames, problemWithName } from './names';
import type { ConnectorNames } from './names';
import { configTemplate } from './templates/config';
import { definitionTemplate } from './templates/definition';
import { fakeTemplate } from './templates/fake';
import { mapperTemplate } from './templates/mapper';
import { sourceTemplate } from './templates/source';
import { testTemplate } from './templates/test';
import { typesTemplate } from './templates/types';

/** A file to write, its path relative to the repository root with `/` separators. */
export interface GeneratedFile {
  path: string;
  content: string;
}

export interface ScaffoldOptions {
  /** The kebab-case name: the folder and the config `type`. */
  name: string;
  /** The rosterflow checkout to write into. */
  root: string;
  /** Source types already registered; the new one must differ. */
  takenTypes: readonly string[];
}

export interface ScaffoldResult {
  names: ConnectorNames;
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
export function plannedFiles(names: ConnectorNames): GeneratedFile[] {
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
  const problem = problemWithName(options.name, options.takenTypes);
  if (problem) throw new RosterflowError('InvalidInput', `connectors new: ${problem}`);

  const names = connectorNames(options.name);
  const root = resolve(options.root);
  const claimed = [`connectors/${names.kebab}`, `test/fakes/${names.kebab}`, `test/connectors/${names.kebab}.test.ts`];
  const existing: string[] = [];
  for (const path of claimed) if (await exists(join(root, path))) existing.push(path);
  if (existing.length > 0) {
    throw new RosterflowError(
      'InvalidInput',
      `connectors new: will not overwrite what is already there: ${existing.join(', ')}. Pick another name or move those away first.`,
    );
  }

  const format = await loadFormatter();
  const files = plannedFiles(names);
  for (const file of files) {
    const path = join(root, file.path);
    await mkdir(dirname(path), { recursive: true });
    const content = format ? await format(path, file.content) : file.content;
    // `wx`: fail rather than replace a file that appeared since the check above.
    await writeFile(path, content, { flag: 'wx' });
  }
  return { names, files: files.map((file) => file.path), formatted: format !== undefined };
}

/** The root of the rosterflow checkout that holds `start` (the folder with connectors/sdk/source.ts). */
export async function findRepositoryRoot(start: string): Promise<string | undefined> {
  for (let folder = resolve(start); ; folder = dirname(folder)) {
    if (await checkoutAt(folder)) return folder;
    if (dirname(folder) === folder) return undefined;
  }
}

/** `folder`, resolved, when it is the root of a rosterflow checkout: generated code imports its SDK. */
export async function checkoutAt(folder: string): Promise<string | undefined> {
  const root = resolve(folder);
  return (await exists(join(root, 'connectors', 'sdk', 'source.ts'))) ? root : undefined;
}

type Formatter = (path: string, source: string) => Promise<string>;

/**
 * Prettier with the repository's own settings. The templates are written Prettier-clean; this keeps
 * the output clean when a long name pushes a line over the width. Prettier is a dev dependency, so
 * it may be missing from a production install: the files are then written as generated.
 */
async function loadFormatter(): Promise<Formatter | undefined> {
  try {
    const prettier = await import('prettier');
    return async (path, source) => prettier.format(source, { ...(await prettier.resolveConfig(path)), filepath: path });
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
