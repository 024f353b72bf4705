import { Buffer } from 'node:buffer';
import type { OneRosterProfile } from './profiles';
import type { CheckOptions, PackageCheck } from './validate';
import { packageReads } from './validate-package';
import { ProblemLog } from './validate-problems';

/** A file of the package, opened from its start each time the check reads it (users.csv may be read twice). */
export interface PackageSource {
  name: string;
  open(): AsyncIterable<Buffer | Uint8Array | string>;
}

export interface StreamCheckOptions extends CheckOptions {
  /** Called with each chunk's size as it is read, for progress. */
  onRead?: (bytes: number) => void;
}

/**
 * The package check (validateOneRosterPackage) over streams: files are parsed chunk by chunk and
 * memory holds hashes of users and roles, the orgs, and the problems kept, never a whole file.
 */
export async function validateOneRosterStreams(
  files: readonly PackageSource[],
  profile: OneRosterProfile,
  options: StreamCheckOptions = {},
): Promise<PackageCheck> {
  const log = new ProblemLog(options.keep);
  const sources = new Map(files.map((source) => [source.name, source]));
  for (const { file, write } of packageReads([...sources.keys()], profile, options, log)) {
    const source = sources.get(file);
    if (!source) throw new Error(`the package check asked for ${file}, which is not in the package`);
    for await (const chunk of source.open()) {
      const bytes =
        typeof chunk === 'string'
          ? Buffer.from(chunk)
          : Buffer.isBuffer(chunk)
            ? chunk
            : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      options.onRead?.(bytes.length);
      write(bytes);
    }
  }
  return { problems: log.problems(), count: log.count };
}
