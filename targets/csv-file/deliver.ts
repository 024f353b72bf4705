import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RosterflowError } from '../../core/errors';
import type { CsvFileTargetConfig } from './config';

/**
 * Writes the artifact next to its destination under a temporary name, flushes it to disk, then
 * renames it into place: a reader sees the old file or the new one, never half of one. `verify`
 * runs once every byte is written, before the rename: what it throws leaves the destination as it was.
 */
export async function writeCsvFile(
  config: CsvFileTargetConfig,
  artifact: Readable,
  runId: string,
  verify: () => void = () => undefined,
): Promise<void> {
  const temporary = `${config.path}.rosterflow-${runId}.tmp`;
  try {
    await mkdir(dirname(config.path), { recursive: true });
    await pipeline(artifact, createWriteStream(temporary, { mode: 0o640 }));
    verify();
    const handle = await open(temporary, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, config.path);
  } catch (err) {
    await rm(temporary, { force: true });
    if (err instanceof RosterflowError) throw err;
    const code = (err as { code?: unknown }).code;
    throw new RosterflowError('DeliveryFailed', `csv-file target: writing ${config.path} failed (${String(code)})`, {
      retryable: code !== 'EACCES' && code !== 'EROFS' && code !== 'ENOTDIR',
    });
  }
}
