import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { RosterflowError } from '../../core/errors';

/** A file to write, its path relative to the repository root with `/` separators. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/**
 * Writes generated files into the checkout at `root`. Refuses to touch it when any of `claimed` (the
 * folders and files the generated code owns) is already there: nothing is written unless everything
 * can be. Returns whether Prettier formatted them.
 */
export async function writeGeneratedFiles(
  command: string,
  root: string,
  claimed: readonly string[],
  files: readonly GeneratedFile[],
): Promise<{ formatted: boolean }> {
  const existing: string[] = [];
  for (const path of claimed) if (await exists(join(root, path))) existing.push(path);
  if (existing.length > 0) {
    throw new RosterflowError(
      'InvalidInput',
      `${command}: will not overwrite what is already there: ${existing.join(', ')}. Pick another name or move those away first.`,
    );
  }
  const format = await loadFormatter();
  for (const file of files) {
    const path = join(resolve(root), file.path);
    await mkdir(dirname(path), { recursive: true });
    const content = format ? await format(path, file.content) : file.content;
    // `wx`: fail rather than replace a file that appeared since the check above.
    await writeFile(path, content, { flag: 'wx' });
  }
  return { formatted: format !== undefined };
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

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
