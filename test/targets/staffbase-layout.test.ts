import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../../io/streamed-form';
import type { Employee } from '../../core/employee';
import { buildImportConfig, configureImport, createImport } from '../../targets/staffbase/client';
import { createStaffbaseLayouts } from '../../targets/staffbase/layout';
import { createPageRenderer } from '../../targets/sdk/page-renderer';
import { staffbaseClient, staffbaseConfig } from '../fakes/staffbase/harness';
import { StaffbaseFake } from '../fakes/staffbase/server';

/** The upload's bytes as the render step writes them: header, the employees, closing rows. */
function renderUpload(config: ReturnType<typeof staffbaseConfig>, employees: readonly Employee[]): Buffer {
  const renderer = createPageRenderer(createStaffbaseLayouts(config));
  return Buffer.concat([renderer.header()[0]!, renderer.page(employees).files[0]!, renderer.closing()[0]!]);
}

const PEOPLE: Employee[] = [
  { sourceId: '1001', workEmail: 'ada.lane@example.com', firstName: 'Ada', lastName: 'Lane; Jr.', status: 'active' },
  {
    sourceId: '1002',
    workEmail: 'grace.hopper@example.com',
    firstName: 'Grace',
    lastName: 'Hopper, Ret.',
    status: 'inactive',
  },
];

describe('Staffbase file as rendered', () => {
  let fake: StaffbaseFake;
  beforeAll(async () => {
    fake = await StaffbaseFake.start();
  });
  afterAll(() => fake.close());

  it('is written with the configured separator, quoting the cells that hold it, and Staffbase takes it', async () => {
    const config = staffbaseConfig(fake, { separator: ';' });
    const csv = renderUpload(config, PEOPLE);
    expect(csv.toString('utf8')).toBe(
      [
        'Identifier;Email Address;First Name;Last Name;Status_code',
        '1001;ada.lane@example.com;Ada;"Lane; Jr.";Activated',
        '1002;grace.hopper@example.com;Grace;Hopper, Ret.;Deactivated',
        '',
      ].join('\n'),
    );

    // The upload form and the import config declare the same separator: Staffbase reads the cells back.
    const client = staffbaseClient(config);
    // (A comma file declared as `;`, what was sent before, is refused.)
    const commas = renderUpload(staffbaseConfig(fake), PEOPLE);
    await expect(
      createImport(client, { fileName: 'rosterflow-commas.csv', csv: bufferSource(commas), separator: ';' }),
    ).rejects.toThrow('invalid separator selected');
    const importId = await createImport(client, {
      fileName: 'rosterflow-semicolon.csv',
      csv: bufferSource(csv),
      separator: ';',
    });
    const [layout] = createStaffbaseLayouts(config);
    await configureImport(client, importId, buildImportConfig(config, layout!.headers));
    expect(fake.importById(importId)).toMatchObject({
      separator: ';',
      headers: ['Identifier', 'Email Address', 'First Name', 'Last Name', 'Status_code'],
      records: [
        ['1001', 'ada.lane@example.com', 'Ada', 'Lane; Jr.', 'Activated'],
        ['1002', 'grace.hopper@example.com', 'Grace', 'Hopper, Ret.', 'Deactivated'],
      ],
    });
  });

  it('sends profile values as they are by default; escapeFormulas: true escapes all but the identifier and email', () => {
    const columns = [
      { header: 'Identifier', field: 'employeeNumber', attribute: 'externalId' },
      { header: 'Email Address', field: 'workEmail', attribute: 'eMail' },
      { header: 'Department', field: 'department', attribute: 'profile-field:department' },
    ];
    const ops: Employee[] = [
      { sourceId: '1', employeeNumber: '-42', workEmail: '-ops@example.com', department: '-Ops', status: 'active' },
    ];
    const plain = renderUpload(staffbaseConfig(fake, { columns }), ops).toString('utf8');
    expect(plain.split('\n')[1]).toBe('-42,-ops@example.com,-Ops,Activated');
    const escaped = renderUpload(staffbaseConfig(fake, { columns, escapeFormulas: true }), ops).toString('utf8');
    expect(escaped.split('\n')[1]).toBe("-42,-ops@example.com,'-Ops,Activated");
  });

  it('puts a name with a line break or tab on one line (it used to be sent raw, inside quotes)', () => {
    const broken: Employee[] = [
      {
        sourceId: '1001',
        workEmail: 'ada.lane@example.com',
        firstName: 'Ada\r\nMarie',
        lastName: 'Lane\tBy',
        status: 'active',
      },
    ];
    expect(renderUpload(staffbaseConfig(fake), broken).toString('utf8').split('\n')[1]).toBe(
      '1001,ada.lane@example.com,Ada Marie,Lane By,Activated',
    );
  });
});
