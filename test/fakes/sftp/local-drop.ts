import { writeFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenLocalFile } from '../../../connectors/csv-drop/readers/local';
import type { ConformanceFake } from '../../support/source-conformance';
import { syntheticPeople } from '../support/people';
import type { Person } from '../support/people';
import { DEFAULT_CSV_FILE, renderPeopleCsv } from './people-csv';
import type { CsvFileOptions } from './people-csv';

/**
 * A local drop folder for the CSV source: a temp folder the roster is written to, and the open
 * function the connector's local reader uses. A local file has no rate limit or credentials, so
 * the fake stands in the two things that do happen to local drops:
 * - `rateLimitNext(n)`: the next n opens fail with EBUSY, as a file still locked by the export job
 *   that writes it (Windows, SMB shares) does; the reader really retries them.
 * - `deniedPath`: a file the worker's user may not read. It is created with mode 000, and the open
 *   function also refuses it with EACCES, because root (as in many containers) ignores file modes.
 */
export class LocalDropFake implements ConformanceFake {
  people: Person[] = [];
  fileOptions: CsvFileOptions = { ...DEFAULT_CSV_FILE };
  /** Every open the reader attempted, failed ones included. */
  opens = 0;
  private busyOpens = 0;

  private constructor(readonly dir: string) {}

  static async start(): Promise<LocalDropFake> {
    const fake = new LocalDropFake(await mkdtemp(join(tmpdir(), 'rosterflow-drop-')));
    writeFileSync(fake.deniedPath, renderPeopleCsv(syntheticPeople(1)), { mode: 0o000 });
    return fake;
  }

  get path(): string {
    return join(this.dir, 'people.csv');
  }

  get deniedPath(): string {
    return join(this.dir, 'not-for-you.csv');
  }

  seed(count: number): void {
    this.people = syntheticPeople(count);
    writeFileSync(this.path, renderPeopleCsv(this.people, this.fileOptions));
  }

  rateLimitNext(times: number): void {
    this.busyOpens += times;
  }

  /** One listing opens the file once; opens that failed as busy count too. */
  listingRequests(): number {
    return this.opens;
  }

  readonly openFile: OpenLocalFile = async (path: string): Promise<FileHandle> => {
    this.opens += 1;
    if (this.busyOpens > 0) {
      this.busyOpens -= 1;
      throw systemError('EBUSY', 'resource busy or locked', path);
    }
    if (path === this.deniedPath) throw systemError('EACCES', 'permission denied', path);
    return open(path, 'r');
  };

  close(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}

/** An error shaped as Node's fs reports it. */
function systemError(code: string, description: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${description}, open '${path}'`), { code, syscall: 'open', path });
}
