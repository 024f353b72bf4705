import { dirname, join, resolve } from 'node:path';
import { RosterflowError } from '../../core/errors';
import { exists } from './write-files';

/** The file that marks a rosterflow checkout: generated code imports its SDKs. */
const MARKER = join('connectors', 'sdk', 'source.ts');

/** The root of the rosterflow checkout that holds `start` (the folder with connectors/sdk/source.ts). */
export async function findRepositoryRoot(start: string): Promise<string | undefined> {
  for (let folder = resolve(start); ; folder = dirname(folder)) {
    if (await checkoutAt(folder)) return folder;
    if (dirname(folder) === folder) return undefined;
  }
}

/** `folder`, resolved, when it is the root of a rosterflow checkout. */
export async function checkoutAt(folder: string): Promise<string | undefined> {
  const root = resolve(folder);
  return (await exists(join(root, MARKER))) ? root : undefined;
}

/** Where `connectors new` or `targets new` writes: `--root`, else the checkout around the current folder. */
export async function scaffoldRoot(command: string, rootOption: string | undefined): Promise<string> {
  const root = rootOption === undefined ? await findRepositoryRoot(process.cwd()) : await checkoutAt(rootOption);
  if (root !== undefined) return root;
  throw new RosterflowError(
    'InvalidInput',
    rootOption === undefined
      ? `${command}: run it inside a rosterflow checkout (no ${MARKER} here or above), or pass --root`
      : `${command}: --root ${rootOption} is not a rosterflow checkout (no ${MARKER})`,
  );
}
