import { Buffer } from 'node:buffer';
import { PassThrough, Readable } from 'node:stream';
import type { Employee } from '../../../core/employee';
import { OneRosterTargetConfigSchema } from '../../../targets/oneroster-sftp/config';
import type { OneRosterTargetConfig } from '../../../targets/oneroster-sftp/config';
import { createOneRosterLayouts } from '../../../targets/oneroster-sftp/layouts';
import type { UploadFile } from '../../../targets/oneroster-sftp/upload';
import { renderArtifacts } from '../../../targets/sdk/render';
import type { RenderOutcome } from '../../../targets/sdk/render';

/** A small district: two divisions, a case variant of a department, a leaver, a new hire without a department. */
export const SMALL_ROSTER: Employee[] = [
  {
    sourceId: '4001',
    employeeNumber: 'E-0001',
    firstName: 'Ada',
    lastName: 'Lane',
    workEmail: 'ada.lane@example.com',
    status: 'active',
    jobTitle: 'Engineer',
    department: 'Engineering',
    division: 'EMEA',
    hireDate: '2019-03-01',
  },
  {
    sourceId: '4002',
    employeeNumber: 'E-0002',
    firstName: 'Grace',
    lastName: 'Hopper',
    preferredName: 'Gracie',
    workEmail: 'grace.hopper@example.com',
    status: 'leave',
    jobTitle: 'Principal',
    department: 'Student Services',
    division: 'Americas',
    hireDate: '2015-08-17',
  },
  {
    sourceId: '4003',
    employeeNumber: 'E-0003',
    firstName: 'Alan',
    lastName: '=Turing',
    workEmail: 'alan.turing@example.com',
    status: 'inactive',
    jobTitle: 'Engineer',
    department: ' engineering ',
    division: 'EMEA',
    hireDate: '2012-01-09',
    terminationDate: '2026-06-30',
  },
  {
    sourceId: '4004',
    firstName: 'Edsger',
    lastName: 'Dijkstra',
    workEmail: 'edsger.dijkstra@example.com',
    status: 'pending',
    jobTitle: 'Counselor',
    division: 'EMEA',
  },
];

export const TEST_HOST_KEY = `SHA256:${'A'.repeat(43)}`;

/** A config for `profile` with the test's SFTP settings; `overrides` are merged at the top level. */
export function oneRosterConfig(
  profile: OneRosterTargetConfig['profile'],
  overrides: Record<string, unknown> = {},
  sftp: Record<string, unknown> = {},
): OneRosterTargetConfig {
  return OneRosterTargetConfigSchema.parse({
    type: 'oneroster-sftp',
    profile,
    orgsFrom: 'department',
    ...overrides,
    sftp: {
      host: 'sftp.alludo.test',
      username: 'district-42',
      password: { env: 'SFTP_PASSWORD' },
      hostKeySha256: TEST_HOST_KEY,
      ...sftp,
    },
  });
}

/** Renders employees through the target's layouts with the shared render step, into file name -> CSV text. */
export async function renderPackage(
  config: OneRosterTargetConfig,
  employees: readonly Employee[],
): Promise<{ files: Record<string, string>; outcome: RenderOutcome }> {
  const chunks = new Map<string, Buffer[]>();
  const outcome = await renderArtifacts(
    createOneRosterLayouts(config),
    (async function* () {
      yield await Promise.resolve(employees);
    })(),
    async (fileName) => {
      const stream = new PassThrough();
      const parts: Buffer[] = [];
      chunks.set(fileName, parts);
      stream.on('data', (chunk: Buffer) => parts.push(chunk));
      return Promise.resolve({ id: fileName, stream });
    },
  );
  const files: Record<string, string> = {};
  for (const file of outcome.files)
    files[file.fileName] = Buffer.concat(chunks.get(file.fileName) ?? []).toString('utf8');
  return { files, outcome };
}

/** The rendered files as the uploader takes them, in the layouts' order; records every `open` offset. */
export function uploadFilesOf(
  files: Record<string, string>,
  opened: { name: string; offset: number }[] = [],
): UploadFile[] {
  return Object.entries(files).map(([name, text]) => {
    const bytes = Buffer.from(text, 'utf8');
    return {
      name,
      size: bytes.length,
      open(offset: number) {
        opened.push({ name, offset });
        // Several chunks, as a store's read stream would give them.
        const parts: Buffer[] = [];
        for (let at = offset; at < bytes.length; at += 10_000) parts.push(bytes.subarray(at, at + 10_000));
        return Readable.from(parts);
      },
    };
  });
}

const DEPARTMENTS = ['Engineering', 'Student Services', 'Finance', 'Facilities', 'Library', 'Athletics'];

/** `count` employees spread over six departments in two divisions, every tenth a leaver; deterministic. */
export function manyEmployees(count: number): Employee[] {
  return Array.from({ length: count }, (_, index) => ({
    sourceId: String(50_000 + index),
    employeeNumber: `E-${String(index + 1).padStart(5, '0')}`,
    firstName: `Given${index}`,
    lastName: `Family${index}`,
    workEmail: `person${index}@district.example`,
    status: index % 10 === 9 ? 'inactive' : 'active',
    department: DEPARTMENTS[index % DEPARTMENTS.length],
    division: index % 2 === 0 ? 'Instruction' : 'Operations',
  }));
}
