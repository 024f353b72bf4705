import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Employee } from '../../core/employee';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RosterflowError } from '../../core/errors';
import { CsvFileTargetConfigSchema } from '../../targets/csv-file/config';
import { writeCsvFile } from '../../targets/csv-file/deliver';
import { createCsvFileLayouts } from '../../targets/csv-file/layout';
import { renderArtifacts } from '../../targets/sdk/render';
import type { RenderOutcome } from '../../targets/sdk/render';

/** Renders employees through the csv-file layout into memory. */
async function render(
  employees: Employee[],
  columns: unknown[],
  statuses?: string[],
  settings: Record<string, unknown> = {},
): Promise<{ csv: string; outcome: RenderOutcome }> {
  const config = CsvFileTargetConfigSchema.parse({
    type: 'csv-file',
    path: '/tmp/people.csv',
    columns,
    ...(statuses ? { statuses } : {}),
    ...settings,
  });
  const chunks: Buffer[] = [];
  const outcome = await renderArtifacts(createCsvFileLayouts(config), Readable.from([employees]), (fileName) => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return Promise.resolve({ id: fileName, stream });
  });
  return { csv: Buffer.concat(chunks).toString('utf8'), outcome };
}

const ada: Employee = {
  sourceId: '1',
  status: 'active',
  workEmail: 'ada@example.com',
  firstName: 'Ada',
  customFields: { team: 'Core' },
};
const email = [{ header: 'Email', field: 'workEmail' }];

describe('csv-file target', () => {
  it('writes the header and one row per employee from fields, custom fields and fixed values', async () => {
    const { csv, outcome } = await render(
      [ada],
      [
        { header: 'Email', field: 'workEmail' },
        { header: 'Team', field: 'customFields.team' },
        { header: 'Source', value: 'HR' },
        { header: 'Title', field: 'jobTitle' },
      ],
    );
    expect(csv).toBe('Email,Team,Source,Title\nada@example.com,Core,HR,\n');
    expect(outcome.files).toEqual([
      {
        fileName: 'people.csv',
        id: 'people.csv',
        checksum: `sha256:${createHash('sha256').update(csv).digest('hex')}`,
        bytes: Buffer.byteLength(csv),
        rows: 1,
      },
    ]);
  });

  it('leaves out employees whose status the target does not list', async () => {
    const leaver: Employee = { ...ada, sourceId: '2', status: 'inactive', workEmail: 'gone@example.com' };
    const { csv, outcome } = await render([ada, leaver], email);
    expect(csv).toBe('Email\nada@example.com\n');
    expect(outcome).toMatchObject({ rendered: 1, filteredOut: 1, rejected: 0 });
    expect((await render([ada, leaver], email, ['inactive'])).csv).toBe('Email\ngone@example.com\n');
  });

  it('neutralises formula cells and quotes per RFC 4180', async () => {
    const tricky: Employee = {
      ...ada,
      firstName: '=HYPERLINK("x")',
      lastName: 'O"Brien, Jr.',
      jobTitle: '@SUM(A1)',
      department: '-1+1',
    };
    const { csv } = await render(
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

  it('rejects a second employee with the same email (any case), keeping the first, and says why by employee and column', async () => {
    const twin: Employee = { ...ada, sourceId: '2', workEmail: 'ADA@example.com' };
    const { csv, outcome } = await render([ada, twin], email);
    expect(csv).toBe('Email\nada@example.com\n');
    expect(outcome).toMatchObject({ rendered: 1, rejected: 1 });
    expect(outcome.rejections).toEqual([
      { row: 'employee 2', field: 'Email', reason: 'repeats a value an earlier row of people.csv has' },
    ]);
  });

  it('writes a valid address that starts like a formula as it is: a leading quote would change the address', async () => {
    const dash: Employee = { ...ada, workEmail: '-ada@example.com', department: '-Ops' };
    const { csv } = await render([dash], [...email, { header: 'Dept', field: 'department' }]);
    expect(csv).toBe("Email,Dept\n-ada@example.com,'-Ops\n");
  });

  it('writes the configured delimiter, quoting cells that hold it and no longer cells that hold a comma', async () => {
    const semicolon: Employee = { ...ada, firstName: 'Ada; Countess', lastName: 'Lovelace, née Byron' };
    const columns = [...email, { header: 'First', field: 'firstName' }, { header: 'Last', field: 'lastName' }];
    expect((await render([semicolon], columns, undefined, { delimiter: ';' })).csv).toBe(
      'Email;First;Last\nada@example.com;"Ada; Countess";Lovelace, née Byron\n',
    );
    expect((await render([semicolon], columns, undefined, { delimiter: '|' })).csv).toBe(
      'Email|First|Last\nada@example.com|Ada; Countess|Lovelace, née Byron\n',
    );
  });

  it('refuses a delimiter that cannot separate cells', () => {
    for (const delimiter of ['"', '\n', ';;']) {
      const result = CsvFileTargetConfigSchema.safeParse({
        type: 'csv-file',
        path: 'x.csv',
        columns: email,
        delimiter,
      });
      expect(result.success, JSON.stringify(delimiter)).toBe(false);
    }
  });

  it('writes formula-like cells as they are with escapeFormulas: false', async () => {
    const dash: Employee = { ...ada, department: '-Ops', jobTitle: '=1+1' };
    const columns = [...email, { header: 'Dept', field: 'department' }, { header: 'Title', field: 'jobTitle' }];
    expect((await render([dash], columns, undefined, { escapeFormulas: false })).csv).toBe(
      'Email,Dept,Title\nada@example.com,-Ops,=1+1\n',
    );
  });

  it('puts every cell on one line: a run of line breaks and tabs becomes one space, dropped at either end', async () => {
    const broken: Employee = { ...ada, firstName: 'Ada\r\nMarie', customFields: { team: '\tCore\n\n\tPlatform\r\n' } };
    const columns = [...email, { header: 'First', field: 'firstName' }, { header: 'Team', field: 'customFields.team' }];
    expect((await render([broken], columns)).csv).toBe('Email,First,Team\nada@example.com,Ada Marie,Core Platform\n');
    // Also with a tab as the delimiter: no cell holds one, so none needs quotes.
    expect((await render([broken], columns, undefined, { delimiter: '\t' })).csv).toBe(
      'Email\tFirst\tTeam\nada@example.com\tAda Marie\tCore Platform\n',
    );
  });

  it('leaves the delivered file as it was when the bytes fail their check, and removes the temporary one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rosterflow-csv-file-'));
    try {
      const path = join(dir, 'people.csv');
      await writeFile(path, 'Email\nold@example.org\n');
      const config = CsvFileTargetConfigSchema.parse({
        type: 'csv-file',
        path,
        columns: [{ header: 'Email', field: 'workEmail' }],
      });
      const refused = new RosterflowError('DeliveryFailed', 'csv-file target: people.csv does not match its checksum', {
        retryable: false,
      });
      const failure = await writeCsvFile(
        config,
        Readable.from([Buffer.from('Email\nnew@example.org\n')]),
        'run-1',
        () => {
          throw refused;
        },
      ).catch((err: unknown) => err);
      expect(failure).toBe(refused);
      expect(await readFile(path, 'utf8')).toBe('Email\nold@example.org\n');
      expect(await readdir(dir)).toEqual(['people.csv']);
      // Checked and accepted: the new bytes take its place.
      await writeCsvFile(config, Readable.from([Buffer.from('Email\nnew@example.org\n')]), 'run-2', () => undefined);
      expect(await readFile(path, 'utf8')).toBe('Email\nnew@example.org\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
