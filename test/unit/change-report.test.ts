import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { columnMatcher, comparePerson } from '../../report/compare';
import type { ChangeEntry } from '../../report/compare';
import { compareRosters } from '../../report/merge';
import type { LazyPage } from '../../report/merge';
import { decodeIndex, encodeIndex, encodePeople, peopleReader, personRecord } from '../../report/person';
import type { PersonRecord } from '../../report/person';

const COLUMNS = ['Email', 'Department'];
const SAME = columnMatcher(COLUMNS, COLUMNS);

const delivered = (id: string, department: string, employed = true, left = false): PersonRecord => ({
  id,
  state: 'delivered',
  employed,
  left,
  name: `Person ${id}`,
  email: `${id}@acme.example`,
  cells: [`${id}@acme.example`, department],
});
const other = (id: string, state: PersonRecord['state'], employed: boolean, left = false): PersonRecord => ({
  id,
  state,
  employed,
  left,
  name: `Person ${id}`,
  email: `${id}@acme.example`,
});

describe('comparing one person with the last delivery', () => {
  it('adds someone new in the files, and ignores someone new outside them', () => {
    expect(comparePerson(undefined, delivered('1', 'Sales'), COLUMNS, SAME)).toMatchObject({ kind: 'added', id: '1' });
    expect(comparePerson(undefined, other('1', 'left-out', false), COLUMNS, SAME)).toBe('outside');
  });

  it('names the changed columns with both values, and nothing when all are the same', () => {
    expect(comparePerson(delivered('1', 'Sales'), delivered('1', 'Marketing'), COLUMNS, SAME)).toEqual({
      kind: 'changed',
      id: '1',
      name: 'Person 1',
      email: '1@acme.example',
      columns: [{ column: 'Department', before: 'Sales', after: 'Marketing' }],
    });
    expect(comparePerson(delivered('1', 'Sales'), delivered('1', 'Sales'), COLUMNS, SAME)).toBe('unchanged');
  });

  it('says why someone employed last time is deactivated', () => {
    const before = delivered('1', 'Sales');
    const reason = (current: PersonRecord | undefined) =>
      (comparePerson(before, current, COLUMNS, SAME) as ChangeEntry).reason;
    expect(reason(undefined)).toBe('gone-from-source');
    expect(reason(other('1', 'left-out', false, true))).toBe('left');
    expect(reason(other('1', 'left-out', false, false))).toBe('inactive');
    expect(reason(other('1', 'left-out', true))).toBe('out-of-scope');
    expect(reason(other('1', 'refused', true))).toBe('refused-by-check');
    // A target that keeps leavers in its files (a status column) deactivates them there.
    expect(comparePerson(before, delivered('1', 'Sales', false, true), COLUMNS, SAME)).toMatchObject({
      kind: 'deactivated',
      reason: 'left',
    });
  });

  it('leaves alone a leaver already delivered as one', () => {
    const leaver = delivered('1', 'Sales', false, true);
    expect(comparePerson(leaver, undefined, COLUMNS, SAME)).toBe('outside');
    expect(comparePerson(leaver, other('1', 'left-out', false, true), COLUMNS, SAME)).toBe('outside');
    expect(comparePerson(leaver, leaver, COLUMNS, SAME)).toBe('unchanged');
  });

  it('matches columns by name: a new column reads as changed from empty, a removed one is not compared', () => {
    const baseline = ['Department', 'Old'];
    const index = columnMatcher(COLUMNS, baseline);
    expect(index).toEqual([undefined, 0]);
    const before: PersonRecord = { ...delivered('1', 'Sales'), cells: ['Sales', 'gone'] };
    expect(comparePerson(before, delivered('1', 'Sales'), COLUMNS, index)).toMatchObject({
      kind: 'changed',
      columns: [{ column: 'Email', before: '', after: '1@acme.example' }],
    });
  });
});

/** Pages as a store read hands them over: one at a time, asynchronously. */
async function* pagesOf(pages: readonly PersonRecord[][]): AsyncIterable<LazyPage> {
  for (const page of pages)
    yield await Promise.resolve({ index: decodeIndex(encodeIndex(page)), record: (at: number) => page[at]! });
}

describe('comparing whole rosters', () => {
  /** 3,000 people last time; now one leaves, one changes, one is new, one is gone, one repeats. */
  function rosters(): { baseline: PersonRecord[][]; current: PersonRecord[][] } {
    const baseline = [Array.from({ length: 3000 }, (_, at) => delivered(String(at), `D${at % 7}`))];
    const current = Array.from({ length: 3 }, (_, page) =>
      Array.from({ length: 1000 }, (_, at) => delivered(String(page * 1000 + at), `D${(page * 1000 + at) % 7}`)),
    );
    current[0]![5] = other('5', 'left-out', false, true);
    current[1]![7] = delivered('1007', 'Elsewhere');
    current[2]![999] = delivered('new-1', 'D1');
    current[2]!.push(delivered('10', 'D3'));
    return { baseline, current };
  }

  async function compare(
    baseline: PersonRecord[][] | undefined,
    current: PersonRecord[][],
    columns: readonly string[] = COLUMNS,
    baselineIndex: readonly (number | undefined)[] = SAME,
  ) {
    const entries: ChangeEntry[] = [];
    const { counts, baselineDelivered } = await compareRosters({
      ...(baseline ? { baseline: () => pagesOf(baseline) } : {}),
      current: pagesOf(current),
      columns,
      baselineIndex,
      sameColumns: baselineIndex.every((at, column) => at === column),
      emit: (entry) => {
        entries.push(entry);
        return Promise.resolve();
      },
    });
    const summary = entries.map((entry) => `${entry.kind} ${entry.id}${entry.reason ? ` ${entry.reason}` : ''}`).sort();
    return { counts, baselineDelivered, summary, entries };
  }

  it('finds each change once: counted when unchanged, reported when added, changed, left or gone', async () => {
    const { baseline, current } = rosters();
    const found = await compare(baseline, current);
    expect(found.counts).toEqual({ added: 1, changed: 1, deactivated: 2, unchanged: 2997 });
    expect(found.baselineDelivered).toBe(3000);
    expect(found.summary).toEqual([
      'added new-1',
      'changed 1007',
      'deactivated 2999 gone-from-source',
      'deactivated 5 left',
    ]);
    expect(found.entries.find((entry) => entry.id === '1007')?.columns).toEqual([
      { column: 'Department', before: 'D6', after: 'Elsewhere' },
    ]);
  });

  it('gives the same report without the repeat check for a source that lists each id once', async () => {
    const { baseline, current } = rosters();
    current[2]!.pop(); // the repeat of '10'
    const checked = await compare(baseline, current);
    const counts = await compareRosters({
      baseline: () => pagesOf(baseline),
      current: pagesOf(current),
      columns: COLUMNS,
      baselineIndex: SAME,
      sameColumns: true,
      currentUnique: true,
      emit: () => Promise.resolve(),
    });
    expect(counts.counts).toEqual(checked.counts);
  });

  it('counts a person the last delivery repeated once', async () => {
    const { current } = rosters();
    const baseline = [
      Array.from({ length: 3000 }, (_, at) => delivered(String(at), `D${at % 7}`)),
      [delivered('7', 'D0')],
    ];
    const found = await compare(baseline, current);
    expect(found.baselineDelivered).toBe(3000);
    expect(found.counts.unchanged).toBe(2997);
  });

  it('reports a person the last delivery repeated in one page once, changed or gone', async () => {
    const baseline = [
      [delivered('1', 'A'), delivered('1', 'A'), delivered('2', 'B'), delivered('2', 'B'), delivered('3', 'C')],
    ];
    const found = await compare(baseline, [[delivered('1', 'Moved'), delivered('3', 'C')]]);
    expect(found.summary).toEqual(['changed 1', 'deactivated 2 gone-from-source']);
    expect(found.counts).toEqual({ added: 0, changed: 1, deactivated: 1, unchanged: 1 });
  });

  it("lets an id's first occurrence decide on both sides, whatever its state", async () => {
    const page = [other('1', 'left-out', false), delivered('1', 'A'), delivered('2', 'B')];
    const found = await compare([page], [page]);
    expect(found.counts).toEqual({ added: 0, changed: 0, deactivated: 0, unchanged: 1 });
    expect(found.baselineDelivered).toBe(1);
  });

  it('compares column by column, past the memory of one chunk, when every person changed (a column added)', async () => {
    const people = 120_000;
    const baseline = [Array.from({ length: people }, (_, at) => ({ ...delivered(String(at), 'D'), cells: ['D'] }))];
    const current = [Array.from({ length: people }, (_, at) => delivered(String(at), 'D'))];
    const found = await compare(baseline, current, COLUMNS, columnMatcher(COLUMNS, ['Department']));
    expect(found.counts).toEqual({ added: 0, changed: people, deactivated: 0, unchanged: 0 });
    expect(found.entries[people - 1]?.columns).toEqual([
      { column: 'Email', before: '', after: `${people - 1}@acme.example` },
    ]);
  });

  it('adds everyone in the files on a first delivery', async () => {
    const found = await compare(undefined, [[delivered('1', 'A'), other('2', 'left-out', false), delivered('3', 'B')]]);
    expect(found.counts).toEqual({ added: 2, changed: 0, deactivated: 0, unchanged: 0 });
    expect(found.baselineDelivered).toBe(0);
  });
});

describe('people as a page keeps them', () => {
  it('reads back what it wrote, and refuses what it did not', () => {
    const people = [delivered('1', 'Sales'), other('2', 'refused', true), delivered('3', 'HR', false, true)];
    const read = peopleReader(encodePeople(people));
    expect(Array.from({ length: read.count }, (_, at) => read.at(at))).toEqual(people);
    expect(() => peopleReader(deflateRawSync(Buffer.from('["1", "delivered"]'))).at(0)).toThrow(
      /not in the expected form/,
    );
  });

  it('names a person by display name, else preferred or first name and last name', () => {
    const base = { sourceId: '1', status: 'active' as const, lastName: 'Johnson' };
    expect(personRecord({ ...base, firstName: 'Katherine', preferredName: 'Kathy' }, 'left-out').name).toBe(
      'Kathy Johnson',
    );
    expect(personRecord({ ...base, displayName: 'K. Johnson' }, 'left-out').name).toBe('K. Johnson');
    expect(
      personRecord({ sourceId: '2', status: 'inactive', terminationDate: '2026-01-01' }, 'left-out'),
    ).toMatchObject({
      name: '',
      email: '',
      employed: false,
      left: true,
    });
  });
});
