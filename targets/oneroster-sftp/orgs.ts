import { z } from 'zod';
import { createHash } from 'node:crypto';
import type { Employee } from '../../core/employee';
import { readField } from '../../core/field-path';
import { ownString } from '../../core/own-string';
import type { FieldPath } from '../../core/field-path';
import { orgTypesOf } from './config';
import type { OneRosterTargetConfig } from './config';

/** An org derived from employee fields. `parentSourcedId` is set only for the nested level. */
export interface DerivedOrg {
  sourcedId: string;
  name: string;
  type: string;
  parentSourcedId?: string;
}

/** Where one employee sits: their primary org and, with a parent level, the org above it. */
export interface OrgPlacement {
  org: DerivedOrg;
  parent?: DerivedOrg;
}

const SLUG_MAX = 40;

/** One spelling of a name: NFC, trimmed, inner whitespace runs collapsed to one space. */
export function normaliseOrgName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/** ASCII, lowercase, dashes: `Student Services & Co.` -> `student-services-co`; `Müller` -> `muller`. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX)
    .replace(/-+$/, '');
  return slug || 'org';
}

/**
 * The org sourcedId scheme: `<prefix><slug of the name>-<first 8 hex digits of SHA-256>`. The hash is
 * over the org's path of `field=name` pairs from the top level down, with names compared without
 * case, so the id is:
 * - stable across runs and hosts (it depends on nothing but the config's fields and the name);
 * - the same for "Sales" and "sales " (one org, as HR data spells it inconsistently);
 * - different for a department "EMEA" and a division "EMEA", and for "Engineering" under two
 *   different divisions (two Alludo groups that share a name), which a slug alone would merge;
 * - readable in a receiver's error report, thanks to the slug.
 * Renaming an org in the HRIS makes a new org (and the old one disappears from the next package).
 */
export function orgSourcedId(prefix: string, path: readonly { field: string; name: string }[]): string {
  const leaf = path[path.length - 1];
  const key = path.map((level) => `${level.field}=${normaliseOrgName(level.name).toLowerCase()}`).join('\n');
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return `${prefix}${slugOf(leaf?.name ?? '')}-${hash}`;
}

/** Derives each employee's orgs from the configured fields. Pure: the same employee gives the same ids. */
export function createOrgDeriver(
  config: Pick<
    OneRosterTargetConfig,
    'profile' | 'orgsFrom' | 'orgType' | 'parentOrgsFrom' | 'parentOrgType' | 'unassignedOrg' | 'orgIdPrefix'
  >,
) {
  const types = orgTypesOf(config);
  const valueOf = (employee: Employee, field: FieldPath) => {
    const value = readField(employee, field);
    return value === undefined || !value.trim() ? undefined : normaliseOrgName(value);
  };

  return {
    placementOf(employee: Employee): OrgPlacement | undefined {
      const name = valueOf(employee, config.orgsFrom) ?? config.unassignedOrg;
      if (name === undefined) return undefined;
      const parentName = config.parentOrgsFrom === undefined ? undefined : valueOf(employee, config.parentOrgsFrom);
      if (config.parentOrgsFrom === undefined || parentName === undefined || types.parent === undefined) {
        const org = {
          sourcedId: orgSourcedId(config.orgIdPrefix, [{ field: config.orgsFrom, name }]),
          name,
          type: types.org,
        };
        return { org };
      }
      const parentPath = [{ field: config.parentOrgsFrom, name: parentName }];
      const parent = { sourcedId: orgSourcedId(config.orgIdPrefix, parentPath), name: parentName, type: types.parent };
      const org = {
        sourcedId: orgSourcedId(config.orgIdPrefix, [...parentPath, { field: config.orgsFrom, name }]),
        name,
        type: types.org,
        parentSourcedId: parent.sourcedId,
      };
      return { org, parent };
    },
  };
}

/**
 * The orgs seen during one render pass. Parents come first (a reader may resolve parents in one pass),
 * then by name and id, so the file is the same whatever order the employees came in. Of the spellings
 * that share an id, the first in code-point order is written, for the same reason.
 */
/** A registry's orgs as a checkpoint keeps them, checked when read back. */
export const DerivedOrgsSchema = z.array(
  z
    .object({ sourcedId: z.string(), name: z.string(), type: z.string(), parentSourcedId: z.string().exactOptional() })
    .strict(),
);

export class OrgRegistry {
  private readonly orgs = new Map<string, DerivedOrg>();

  /** Takes back the orgs of a checkpoint (`list()` of an earlier attempt): adding is order-free. */
  restore(orgs: readonly DerivedOrg[]): void {
    for (const org of orgs) this.put(org);
  }

  add(placement: OrgPlacement): void {
    if (placement.parent) this.put(placement.parent);
    this.put(placement.org);
  }

  list(): DerivedOrg[] {
    const depth = (org: DerivedOrg) => (org.parentSourcedId === undefined ? 0 : 1);
    return [...this.orgs.values()].sort(
      (a, b) => depth(a) - depth(b) || compare(a.name, b.name) || compare(a.sourcedId, b.sourcedId),
    );
  }

  private put(org: DerivedOrg): void {
    const known = this.orgs.get(org.sourcedId);
    // Kept for the whole render: copies, not slices of the page the values came in (core/own-string.ts).
    if (known && compare(org.name, known.name) >= 0) return;
    const owned = ownOrg(org);
    this.orgs.set(owned.sourcedId, owned);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ownOrg(org: DerivedOrg): DerivedOrg {
  const { sourcedId, name, type, parentSourcedId } = org;
  return {
    ...org,
    sourcedId: ownString(sourcedId),
    name: ownString(name),
    type: ownString(type),
    ...(parentSourcedId === undefined ? {} : { parentSourcedId: ownString(parentSourcedId) }),
  };
}
