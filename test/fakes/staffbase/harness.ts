/** Shared helpers for the Staffbase target tests: config, client, rendered uploads, polling with the fake's clock. */
import { Buffer } from 'node:buffer';
import { stringify } from 'csv-stringify/sync';
import { createSecretResolver } from '../../../io/secrets';
import type { Employee } from '../../../core/employee';
import { createStaffbaseHttpClient, getImport } from '../../../targets/staffbase/client';
import type { StaffbaseImportState } from '../../../targets/staffbase/client';
import { StaffbaseTargetConfigSchema } from '../../../targets/staffbase/config';
import type { StaffbaseTargetConfig } from '../../../targets/staffbase/config';
import { createStaffbaseLayouts } from '../../../targets/staffbase/layout';
import type { ArtifactLayout } from '../../../targets/sdk/layout';
import { STAFFBASE_TOKEN } from './server';
import type { StaffbaseFake } from './server';

export const env = { STAFFBASE_TOKEN, STAFFBASE_WRONG_TOKEN: 'bm90LXRoZS10b2tlbg==' };
export const resolveSecret = createSecretResolver(env);

export function staffbaseConfig(fake: StaffbaseFake, overrides: Record<string, unknown> = {}): StaffbaseTargetConfig {
  return StaffbaseTargetConfigSchema.parse({
    type: 'staffbase',
    baseUrl: fake.baseUrl,
    apiToken: { env: 'STAFFBASE_TOKEN' },
    ...overrides,
  });
}

/** Fast retries, so the retry tests take milliseconds. */
export function staffbaseClient(config: StaffbaseTargetConfig) {
  return createStaffbaseHttpClient(config, resolveSecret, { backoffLimitMs: 5, maxAttempts: 3 });
}

/** The four statuses: an on-boarded user, one on leave, a future starter and a leaver. */
export const EMPLOYEES: Employee[] = [
  { sourceId: '1001', workEmail: 'ada.lane@example.com', firstName: 'Ada', lastName: 'Lane', status: 'active' },
  { sourceId: '1002', workEmail: 'grace.hopper@example.com', firstName: 'Grace', lastName: 'Hopper', status: 'leave' },
  { sourceId: '1003', workEmail: 'alan.turing@example.com', firstName: 'Alan', lastName: 'Turing', status: 'pending' },
  {
    sourceId: '1004',
    workEmail: 'ken.thompson@example.com',
    firstName: 'Ken',
    lastName: 'Thompson',
    status: 'inactive',
  },
  {
    sourceId: '1005',
    workEmail: 'radia.perlman@example.com',
    firstName: 'Radia',
    lastName: 'Perlman',
    status: 'inactive',
  },
];

/** What the render step does with a layout: header row, then every employee's rows. */
export function renderCsv(layout: ArtifactLayout, employees: readonly Employee[], separator = ','): string {
  const rows = employees.flatMap((employee) => layout.rowsFor(employee).map((row) => [...row]));
  return stringify([[...layout.headers], ...rows], { delimiter: separator, record_delimiter: 'unix' });
}

export function renderUpload(config: StaffbaseTargetConfig, employees: readonly Employee[] = EMPLOYEES) {
  const [layout] = createStaffbaseLayouts(config);
  if (!layout) throw new Error('no layout');
  return { headers: layout.headers, csv: Buffer.from(renderCsv(layout, employees, config.separator), 'utf8') };
}

/** Polls like the workflow will, moving the fake's clock between polls. */
export async function pollUntil(
  fake: StaffbaseFake,
  client: ReturnType<typeof staffbaseClient>,
  importId: string,
  wanted: readonly StaffbaseImportState[],
  maxPolls = 10,
): Promise<StaffbaseImportState[]> {
  const seen: StaffbaseImportState[] = [];
  for (let poll = 0; poll < maxPolls; poll += 1) {
    const status = await getImport(client, importId);
    if (status.state === 'UNRECOGNIZED') throw new Error(`unrecognized state ${status.reportedState}`);
    seen.push(status.state);
    if (wanted.includes(status.state)) return seen;
    fake.advance();
  }
  throw new Error(`import ${importId} never reached ${wanted.join('/')}; saw ${seen.join(', ')}`);
}
