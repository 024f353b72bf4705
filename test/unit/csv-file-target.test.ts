import { describe, expect, it } from 'vitest';
import type { Employee } from '../../core/employee';
import { CsvFileTargetConfigSchema } from '../../targets/csv-file/config';
import { createCsvFileRenderer } from '../../targets/csv-file/render';

async function render(employees: Employee[], columns: unknown[], statuses?: string[]): Promise<string> {
  const config = CsvFileTargetConfigSchema.parse({
    type: 'csv-file',
    path: '/tmp/x.csv',
    columns,
    ...(statuses ? { statuses } : {}),
  });
  const renderer = createCsvFileRenderer(config);
  const chunks: Buffer[] = [];
  renderer.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => renderer.stream.on('end', resolve));
  for (const employee of employees) {
    const row = renderer.toRow(employee);
    if (row) renderer.stream.write(row);
  }
  renderer.stream.end();
  await done;
  return Buffer.concat(chunks).toString('utf8');
}

const ada: Employee = {
  sourceId: '1',
  status: 'active',
  workEmail: 'ada@example.com',
  firstName: 'Ada',
  customFields: { team: 'Core' },
};

describe('csv-file target renderer', () => {
  it('writes the header and one row per employee from fields, custom fields and fixed values', async () => {
    const csv = await render(
      [ada],
      [
        { header: 'Email', field: 'workEmail' },
        { header: 'Team', field: 'customFields.team' },
        { header: 'Source', value: 'HR' },
        { header: 'Title', field: 'jobTitle' },
      ],
    );
    expect(csv).toBe('Email,Team,Source,Title\nada@example.com,Core,HR,\n');
  });

  it('leaves out employees whose status the target does not list', async () => {
    const leaver: Employee = { ...ada, sourceId: '2', status: 'inactive', workEmail: 'gone@example.com' };
    expect(await render([ada, leaver], [{ header: 'Email', field: 'workEmail' }])).toBe('Email\nada@example.com\n');
    expect(await render([ada, leaver], [{ header: 'Email', field: 'workEmail' }], ['inactive'])).toBe(
      'Email\ngone@example.com\n',
    );
  });

  it('neutralises formula cells and quotes per RFC 4180', async () => {
    const tricky: Employee = {
      ...ada,
      firstName: '=HYPERLINK("x")',
      lastName: 'O"Brien, Jr.',
      jobTitle: '@SUM(A1)',
      department: '-1+1',
    };
    const csv = await render(
      [tricky],
      [
        { header: 'First', field: 'firstName' },
        { header: 'Last', field: 'lastName' },
        { header: 'Title', field: 'jobTitle' },
        { header: 'Dept', field: 'department' },
      ],
    );
    expect(csv).toBe(`First,Last,Title,Dept\n"'=HYPERLINK(""x"")","O""Brien, Jr.",'@SUM(A1),'-1+1\n`);
  });
});
