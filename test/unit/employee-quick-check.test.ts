import { describe, expect, it } from 'vitest';
import { EmployeeSchema } from '../../core/employee';
import { quickEmployee } from '../../core/employee-quick-check';
import { validateCompactEmployee, validateEmployee } from '../../connectors/sdk/mapping';

/** Values each field may take in the corpus: valid ones, and each way the schema refuses or reshapes. */
const TEXT = ['Ada', 'x', ' padded ', '', 42, null, { a: 1 }, 'Ünïcødé ✓'];
const EMAIL = ['ada@example.org', 'a@b.co', 'a@b', 'a b@c.org', ' ada@example.org', 'ä@example.org', 'a@-b.org', 7];
const DATE = ['2024-02-29', '2023-02-29', '2024-13-01', '2024-1-1', '2024-04-31', '1999-12-31', '2024-01-01T00:00:00Z'];
const STATUS = ['active', 'pending', 'leave', 'inactive', 'Active', 'gone', undefined];
const CUSTOM = [{ team: 'Ops' }, { team: 3 }, {}, ['x'], 'text', { team: 'Ops', site: 'B' }];
const LINE = [1, 7, 0, -2, 1.5, '3', 2 ** 60];
const DATETIME = ['2024-01-01T10:00:00Z', '2024-01-01T10:00:00+02:00', 'yesterday'];

const POOLS: Record<string, readonly unknown[]> = {
  sourceId: ['E1', ' E2 ', '', 12, 'E 3'],
  employeeNumber: TEXT,
  firstName: TEXT,
  lastName: TEXT,
  displayName: TEXT,
  workEmail: EMAIL,
  personalEmail: EMAIL,
  managerEmail: EMAIL,
  status: STATUS,
  rawStatus: TEXT,
  hireDate: DATE,
  terminationDate: DATE,
  department: TEXT,
  managerSourceId: TEXT,
  customFields: CUSTOM,
  sourceLine: LINE,
  updatedAt: DATETIME,
  notAField: ['x'],
};

/** A small deterministic generator, so a failure names a case that can be run again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function candidate(next: () => number): Record<string, unknown> {
  const record: Record<string, unknown> = { sourceId: 'E1', status: 'active' };
  for (const [field, pool] of Object.entries(POOLS)) {
    // Most fields are absent or valid in a real export; every field is varied often enough.
    if (next() < 0.6) continue;
    record[field] = pool[Math.floor(next() * pool.length)];
  }
  return record;
}

describe('the quick employee check', () => {
  it('accepts only what EmployeeSchema accepts, with the same record, keys in the same order', () => {
    const next = random(2026);
    let quick = 0;
    let schema = 0;
    for (let index = 0; index < 20_000; index += 1) {
      const input = candidate(next);
      const fast = quickEmployee(input);
      const parsed = EmployeeSchema.safeParse(input);
      if (parsed.success) schema += 1;
      if (fast === undefined) continue;
      quick += 1;
      expect(parsed.success, JSON.stringify(input)).toBe(true);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
    }
    // The quick path is taken for most valid records; the rest go to the schema.
    expect(quick).toBeGreaterThan(schema / 4);
  });

  it('takes a plain CSV row without the schema, and leaves a refused one to it (with its reasons)', () => {
    const row = {
      sourceId: 'E1001',
      firstName: 'Ada',
      workEmail: 'ada@example.org',
      status: 'active',
      hireDate: '2020-02-29',
      customFields: { team: 'Ops' },
      sourceLine: 2,
    };
    expect(quickEmployee(row)).toEqual(row);
    // What the CSV mapper calls: the valid row comes back as the very object, not a copy or a parse.
    const taken = validateCompactEmployee(row, 'line 2');
    expect(taken.ok && taken.employee).toBe(row);
    expect(validateCompactEmployee({ ...row, workEmail: 'ada@' }, 'line 2')).toEqual({
      ok: false,
      rejections: [{ row: 'line 2', field: 'workEmail', reason: 'is not a valid email address' }],
    });
    expect(validateEmployee({ ...row, workEmail: 'ada@' }, 'line 2')).toEqual({
      ok: false,
      rejections: [{ row: 'line 2', field: 'workEmail', reason: 'is not a valid email address' }],
    });
    expect(quickEmployee({ ...row, hireDate: '2021-02-29' })).toBeUndefined();
    expect(quickEmployee({ ...row, extra: 'x' })).toBeUndefined();
    expect(quickEmployee({ firstName: 'Ada', status: 'active' })).toBeUndefined();
  });
});
