import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RunRecord } from '../../store/run-record';
import type { Store } from '../../store/store';

/** Writes a run's files, byte for byte as the target receives them, into `folder`; returns their paths. */
export async function writeRunFiles(store: Store, run: RunRecord, folder: string): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const written: string[] = [];
  for (const artifact of run.artifacts ?? []) {
    // A file name from the target's config, kept to its last part: never written outside the folder.
    const path = join(folder, basename(artifact.fileName));
    await pipeline(store.artifacts.openReader(artifact.id), createWriteStream(path));
    written.push(path);
  }
  return written;
}
