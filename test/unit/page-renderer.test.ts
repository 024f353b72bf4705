import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Employee } from '../../core/employee';
import { TargetConfigSchema, targetDefinition } from '../../targets';
import type { TargetConfig } from '../../targets';
import { validateOneRosterPackage } from '../../targets/oneroster-sftp/validate';
import { GOLDEN_TARGETS } from '../golden/targets';
import { createPageRenderer } from '../../targets/sdk/page-renderer';
import { renderArtifacts } from '../../targets/sdk/render';

const people: Employee[] = Array.from({ length: 25 }, (_, index) => ({
  sourceId: String(index + 1),
  status: index % 7 === 0 ? 'inactive' : 'active',
  firstName: index === 3 ? ' Leading space' : `First${index}`,
  lastName: `Last, "${index}"`,
  // Two people share an address: the second is rejected, wherever the page boundary falls.
  workEmail: index === 12 ? 'person11@acme.example' : `person${index}@acme.example`,
  department: ['Engineering', 'Sales', 'People'][index % 3]!,
}));

const target = {
  type: 'csv-file',
  path: '/dev/null',
  columns: [
    { header: 'Email', field: 'workEmail' },
    { header: 'First Name', field: 'firstName' },
    { header: 'Last Name', field: 'lastName' },
    { header: 'Department', field: 'department' },
  ],
} as unknown as TargetConfig;

function layouts() {
  const definition = targetDefinition('csv-file');
  return definition.layouts(definition.configSchema.parse(target));
}

/** The whole file as the paged renderer writes it, for a given page size. */
function pagedBytes(pageSize: number) {
  const renderer = createPageRenderer(layouts());
  const chunks = [renderer.header()[0]!];
  for (let at = 0; at < people.length; at += pageSize)
    chunks.push(renderer.page(people.slice(at, at + pageSize)).files[0]!);
  chunks.push(renderer.closing()[0]!);
  return { bytes: Buffer.concat(chunks), tally: renderer.tally };
}

describe('the page renderer', () => {
  it('gives the same bytes and counts however the employees are split into pages', async () => {
    const whole = pagedBytes(people.length);
    for (const pageSize of [1, 4, 10]) {
      const paged = pagedBytes(pageSize);
      expect(paged.bytes.equals(whole.bytes)).toBe(true);
      expect(paged.tally).toEqual(whole.tally);
    }
    expect(whole.tally).toMatchObject({ rejected: 1, rowsPerFile: [whole.tally.rendered] });
    expect(whole.tally.rejections[0]).toMatchObject({ row: 'employee 13', field: 'Email' });
    expect(createPageRenderer(layouts()).page(people).rejectedIds).toEqual(['13']);

    // And the same bytes as the one-pass streaming render.
    const streamed: Buffer[] = [];
    await renderArtifacts(layouts(), Readable.from([people.slice(0, 9), people.slice(9)]), () =>
      Promise.resolve({
        id: 'memory',
        stream: new Writable({
          write(chunk: Buffer, _encoding, done) {
            streamed.push(chunk);
            done();
          },
        }),
      }),
    );
    expect(Buffer.concat(streamed).equals(whole.bytes)).toBe(true);
  });
});

/** What of the broken employee each target writes, with the rule applied. */
const SHOWN: Record<string, string[]> = {
  'csv-file': ['Ada Marie', 'Love lace', 'Chief Engineer', 'Research and Development', 'London UK', 'Plat form'],
  'csv-file-semicolon': ['Ada Marie', 'Love lace', 'Chief Engineer', 'Research and Development', 'Plat form'],
  allstacks: [',Research and Development,London UK,Plat form\n'],
  'staffbase-delta': [',Ada Marie,Love lace,'],
  'staffbase-full': [',Ada Marie,Love lace\n'],
  alludo: [',Ada Marie,Love lace,', ',Research and Development,', ',London UK,'],
  'oneroster-1.2': [',Ada Marie,Love lace,', ',Research and Development,', ',London UK,'],
  'oneroster-1.2.1': [',Ada Marie,Love lace,', ',Research and Development,', ',London UK,'],
};

/** Each file's text for one page of employees, and the render's tally. */
function renderAll(config: TargetConfig, employees: readonly Employee[]) {
  const layouts = targetDefinition(config.type).layouts(config);
  const renderer = createPageRenderer(layouts);
  const parts = [renderer.header(), renderer.page(employees).files, renderer.closing()];
  const files = Object.fromEntries(
    layouts.map((layout, at) => [layout.fileName, parts.map((part) => part[at]!.toString('utf8')).join('')]),
  );
  return { files, tally: renderer.tally };
}

describe('one rule for line breaks and tabs, in every target', () => {
  const broken: Employee[] = [
    {
      sourceId: '1',
      status: 'active',
      workEmail: 'ada@acme.example',
      firstName: 'Ada\r\nMarie',
      lastName: 'Love\tlace',
      jobTitle: 'Chief\n\nEngineer',
      department: 'Research\nand Development',
      location: 'London\tUK',
      customFields: { team: 'Plat\u2028form\t' },
    },
    {
      sourceId: '2',
      status: 'active',
      workEmail: 'grace@acme.example',
      firstName: 'Grace',
      lastName: 'Hopper',
      department: 'Ops',
    },
  ];

  for (const [name, config] of Object.entries(GOLDEN_TARGETS)) {
    it(`${name}: each run of CR, LF and tabs in a cell becomes one space, and nobody is left out for it`, () => {
      const parsed = TargetConfigSchema.parse(config);
      const { files, tally } = renderAll(parsed, broken);
      expect(tally).toMatchObject({ rendered: 2, rejected: 0 });
      const text = Object.values(files).join('');
      expect(text).not.toMatch(/[\r\t\u2028]/);
      // Every line ends a record: no line break inside a cell.
      Object.values(files).forEach((file, at) => expect(file.split('\n')).toHaveLength(tally.rowsPerFile[at]! + 2));
      for (const expected of SHOWN[name]!) expect(text).toContain(expected);
      if (parsed.type === 'oneroster-sftp') expect(validateOneRosterPackage(files, parsed.profile)).toEqual([]);
    });
  }
});
