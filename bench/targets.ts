import { join } from 'node:path';
import {
  ALLSTACKS_ORG_ID,
  ALLSTACKS_PASSWORD,
  ALLSTACKS_USERNAME,
  AllstacksFake,
} from '../test/fakes/allstacks/server';
import { ALLUDO_SFTP_PASSWORD, AlludoSftpFake } from '../test/fakes/oneroster-sftp/server';
import { STAFFBASE_TOKEN, StaffbaseFake } from '../test/fakes/staffbase/server';
import type { BenchTarget } from './report';

/** The columns of the csv-file sync, which the hand-written script writes too (bench/script.mjs). */
export const CSV_FILE_COLUMNS = [
  { header: 'Email', field: 'workEmail' },
  { header: 'First Name', field: 'firstName' },
  { header: 'Last Name', field: 'lastName' },
  { header: 'Department', field: 'department' },
] as const;

/** The export's headers, as the csv source maps them (bench/export.ts writes them). */
export const SOURCE_COLUMNS = {
  sourceId: 'Employee ID',
  firstName: 'First Name',
  lastName: 'Last Name',
  workEmail: 'Work Email',
  status: 'Status',
  hireDate: 'Hire Date',
  department: 'Department',
  location: 'Location',
};

/** A target ready for one sync: its config, the secrets the worker needs, and how to shut its fake down. */
export interface TargetUnderTest {
  config: Record<string, unknown>;
  env: Record<string, string>;
  /** The delivered file, for targets that write one on this machine. */
  outputPath?: string;
  close(): Promise<void>;
}

/** Starts the vendor fake for `target` in this process (test/fakes), or picks the csv-file path in `dir`. */
export async function startTarget(target: BenchTarget, dir: string): Promise<TargetUnderTest> {
  switch (target) {
    case 'csv-file': {
      const outputPath = join(dir, 'delivered.csv');
      return {
        config: { type: 'csv-file', path: outputPath, columns: CSV_FILE_COLUMNS },
        env: {},
        outputPath,
        close: () => Promise.resolve(),
      };
    }
    case 'allstacks': {
      const fake = await AllstacksFake.start();
      return {
        config: {
          type: 'allstacks',
          baseUrl: fake.baseUrl,
          organizationId: ALLSTACKS_ORG_ID,
          username: ALLSTACKS_USERNAME,
          password: { env: 'BENCH_ALLSTACKS_PASSWORD' },
          tags: [{ category: 'Department', field: 'department' }],
        },
        env: { BENCH_ALLSTACKS_PASSWORD: ALLSTACKS_PASSWORD },
        close: () => fake.close(),
      };
    }
    case 'staffbase': {
      const fake = await StaffbaseFake.start({ autoAdvanceOnPoll: true });
      return {
        config: {
          type: 'staffbase',
          baseUrl: fake.baseUrl,
          apiToken: { env: 'BENCH_STAFFBASE_TOKEN' },
          polling: { initialInterval: '1s', maxInterval: '2s', timeout: '30m' },
        },
        env: { BENCH_STAFFBASE_TOKEN: STAFFBASE_TOKEN },
        close: () => fake.close(),
      };
    }
    case 'oneroster-sftp': {
      const fake = await AlludoSftpFake.start();
      return {
        config: fake.targetConfig('alludo', 'BENCH_ALLUDO_PASSWORD'),
        env: { BENCH_ALLUDO_PASSWORD: ALLUDO_SFTP_PASSWORD },
        close: () => fake.close(),
      };
    }
  }
}
