import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RosterflowError } from '../../core/errors';
import type { CsvFileTargetConfig } from './config';

/**
 * Writes the artifact next to its destination under a temporary name, flushes it to disk, then
 * renames it into place: a reader sees the old file or the new one, never half of one.
 */
export async function deliverCsvFile(config: CsvFileTargetConfig, artifact: Readable, runId: string): Promise<void> {
  const temporary = `${config.path}.rosterflow-${runId}.tmp`;
  try {
    await mkdir(dirname(config.path), { recursive: true });
    await pipeline(artifact, createWriteStream(temporary, { mode: 0o640 }));
    const handle = await open(temporary, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, config.path);
  } catch (err) {
    await rm(temporary, { force: true });
    const code = (err as { code?: unknown }).code;
    throw new RosterflowError('DeliveryFailed', `csv-file target: writing ${config.path} failed (${String(code)})`, {
      retryable: code !== 'EACCES' && code !== 'EROFS' && code !== 'ENOTDIR',
    });
  }
}
