import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Employee } from '../../core/employee';
import { targetDefinition } from '../../targets';
import type { TargetConfig } from '../../targets';
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
