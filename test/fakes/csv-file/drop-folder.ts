import { execFile } from 'node:child_process';
import { constants, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A write the folder keeps from finishing (see `holdWrite`). */
export interface HeldWrite {
  reached(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * What a `csv-file` target delivers to: a temporary folder that counts the files put in place under
 * each name (inotify's rename events: what an atomic rename, or any create, makes), and can hold a
 * write in flight.
 */
export class CsvDropFolder {
  private readonly placements = new Map<string, number>();

  private constructor(
    readonly dir: string,
    private readonly watcher: FSWatcher,
  ) {}

  static async start(): Promise<CsvDropFolder> {
    const dir = await mkdtemp(join(tmpdir(), 'rosterflow-csv-drop-'));
    let folder: CsvDropFolder | undefined = undefined;
    const watcher = watch(dir, (event, name) => {
      if (event === 'rename' && name) folder?.placements.set(name, (folder.placements.get(name) ?? 0) + 1);
    });
    folder = new CsvDropFolder(dir, watcher);
    return folder;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** How many times a file appeared at `name` (each rename into place is one). */
  async placed(name: string): Promise<number> {
    // The kernel queued the events when the renames happened; this lets the watcher read them.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return this.placements.get(name) ?? 0;
  }

  async read(name: string): Promise<string | undefined> {
    return readFile(this.path(name), 'utf8').catch(() => undefined);
  }

  /**
   * Holds the write to `path` (a name the writer will open, in this folder): a named pipe stands
   * there, read from here. The writer's bytes arrive, and its next open of the file to flush it
   * waits for a writer that never comes, so it is in flight until killed. `release` removes the pipe:
   * the next writer writes a plain file.
   */
  async holdWrite(path: string): Promise<HeldWrite> {
    await execFileAsync('mkfifo', [path]);
    // Open for reading without waiting for a writer, so the writer's open does not wait for us.
    const pipe = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const buffer = Buffer.alloc(64 * 1024);
    let received = 0;
    return {
      async reached() {
        try {
          received += (await pipe.read(buffer, 0, buffer.length, null)).bytesRead;
        } catch (err) {
          if ((err as { code?: unknown }).code !== 'EAGAIN') throw err;
        }
        return received > 0;
      },
      async release() {
        await pipe.close();
        await rm(path, { force: true });
      },
    };
  }

  async close(): Promise<void> {
    this.watcher.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
