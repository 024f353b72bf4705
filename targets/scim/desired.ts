import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';
import { ACTIVE_HEADER, EXTERNAL_ID_HEADER } from './layout';
import type { ScimAttribute } from './attributes';
import type { DesiredUser } from './plan';

/** Reads the run's desired-state file (its artifact, written by layout.ts) back into people. */
export async function readDesiredUsers(file: Readable, attributes: readonly ScimAttribute[]): Promise<DesiredUser[]> {
  const users: DesiredUser[] = [];
  const rows = file.pipe(parse({ columns: true, bom: true }));
  for await (const row of rows as AsyncIterable<Record<string, string>>) {
    const values = new Map<ScimAttribute, string>();
    for (const attribute of attributes) values.set(attribute, row[attribute] ?? '');
    const state = row[ACTIVE_HEADER];
    users.push({
      externalId: row[EXTERNAL_ID_HEADER] ?? '',
      active: state === 'true',
      ...(state === 'pending' ? { pending: true } : {}),
      values,
    });
  }
  return users;
}
