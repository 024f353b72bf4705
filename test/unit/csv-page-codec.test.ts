import { describe, expect, it } from 'vitest';
import type { Employee } from '../../core/employee';
import { createPageCodec } from '../../connectors/csv-drop/page-codec';
import type { EmployeePage } from '../../connectors/sdk/source';

const page = (records: Employee[]): EmployeePage => ({
  records,
  rejected: [{ row: 'line 9', field: 'Email', reason: 'is not a valid email address' }],
  cursor: '42',
});

describe('csv page codec (pages crossing from the parsing thread)', () => {
  it('decodes the records it encoded: the same keys in the same order, the same values', () => {
    const codec = createPageCodec(['team', 'badge']);
    const records: Employee[] = [
      {
        sourceId: '1001',
        firstName: 'Zoë',
        lastName: 'Ångström',
        workEmail: 'zoe@example.com',
        status: 'active',
        rawStatus: 'Active',
        department: 'Forschung & Entwicklung 研究',
        customFields: { team: 'Platform', badge: '' },
        updatedAt: '2026-01-02T03:04:05Z',
        sourceLine: 2,
      },
      // No custom field set at all, no line: neither key appears.
      { sourceId: '1002', status: 'inactive' },
      // Only the second custom field: customFields holds just that one, still before updatedAt.
      { sourceId: '1003', status: 'leave', customFields: { badge: 'B-7' }, sourceLine: 4 },
      // Emoji (two UTF-16 units) and a value with the separators of other formats.
      { sourceId: 'x,"y"\n', firstName: '🙂', status: 'pending', sourceLine: 5 },
    ];
    const { encoded, transfer } = codec.encode(page(records));
    const decoded = codec.decode(structuredClone(encoded, { transfer }));
    expect(decoded).toEqual(page(records));
    expect(decoded.records.map((record) => Object.keys(record))).toEqual(records.map((record) => Object.keys(record)));
    expect(decoded.records.map((record) => Object.keys(record.customFields ?? {}))).toEqual([
      ['team', 'badge'],
      [],
      ['badge'],
      [],
    ]);
  });

  it('reads custom fields named like what every object inherits as the fields they are', () => {
    const codec = createPageCodec(['constructor', 'toString', 'team']);
    const records: Employee[] = [
      { sourceId: '1', status: 'active', customFields: { team: 'Platform' } },
      { sourceId: '2', status: 'active', customFields: { constructor: 'C', team: 'Data' } },
    ];
    const { encoded } = codec.encode(page(records));
    expect(codec.decode(encoded)).toEqual(page(records));
  });

  it('carries an empty page and a page of rejections only', () => {
    const codec = createPageCodec([]);
    const { encoded } = codec.encode(page([]));
    expect(codec.decode(encoded)).toEqual(page([]));
  });
});
