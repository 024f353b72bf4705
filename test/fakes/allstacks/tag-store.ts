/**
 * The fake's per-organisation contributors, tag categories and tags, and how one upload changes them.
 *
 * The vendor page documents the flags only by name and a caution each, so this is our reading:
 * - every row's contributor is matched by email, case-insensitively, and created when unknown
 *   (enabled only under `enable_users`); each non-blank cell adds that tag in the header's category,
 *   creating category and tag as needed (headers are matched case-sensitively; blank cells ignored);
 * - `enable_users`: every contributor in the file ends up enabled;
 * - `disable_users`: every contributor not in the file ends up disabled;
 * - `reconcile_tags`: a listed contributor loses the tags its rows do not give, in the file's categories
 *   (`fileCategories`, default) or in every category (`allCategories`); the caution "could remove
 *   useful tags that you are not aware of" fits both;
 * - `delete_tags`: in the file's categories, tags no row gives are deleted, from everybody;
 * - `delete_tag_categories`: categories missing from the header are deleted with their tags.
 * Contributors absent from the file keep their tags unless a delete flag removes them.
 */

export type AllstacksFlagName =
  'reconcile_tags' | 'enable_users' | 'disable_users' | 'delete_tag_categories' | 'delete_tags';
export type ReconcileScope = 'fileCategories' | 'allCategories';

export interface Contributor {
  /** As first seen; matched case-insensitively. */
  email: string;
  enabled: boolean;
  tags: Map<string, Set<string>>;
}

export interface Organization {
  /** Keyed by lower-cased email. */
  contributors: Map<string, Contributor>;
  categories: Map<string, Set<string>>;
}

export interface ContributorSnapshot {
  email: string;
  enabled: boolean;
  tags: Record<string, string[]>;
}

export interface Roster {
  /** The tag categories of the header, each once. */
  categories: string[];
  rows: { email: string; tags: [category: string, tag: string][] }[];
}

const EMAIL_HEADERS = ['Email', 'User Work Email Address'];
const LOOKS_LIKE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function emptyOrganization(): Organization {
  return { contributors: new Map(), categories: new Map() };
}

/** The roster a parsed file describes, or the formatting problem Allstacks would email about. */
export function readRoster(parsed: string[][] | { problem: string }): Roster | { problem: string } {
  if (!Array.isArray(parsed)) return parsed;
  const [header, ...records] = parsed;
  if (!header) return { problem: 'The CSV file is empty.' };
  if (!EMAIL_HEADERS.includes(header[0] ?? '')) {
    return { problem: 'The first column header must be Email.' };
  }
  const categories = header.slice(1);
  const blank = categories.findIndex((category) => category.trim() === '');
  if (blank >= 0) return { problem: `Column ${blank + 2} has no header (tag category).` };

  const rows: Roster['rows'] = [];
  for (const [index, record] of records.entries()) {
    const email = (record[0] ?? '').trim();
    if (!LOOKS_LIKE_EMAIL.test(email)) return { problem: `Row ${index + 2} has no valid email address.` };
    const tags = categories
      .map((category, column): [string, string] => [category, (record[column + 1] ?? '').trim()])
      .filter(([, tag]) => tag !== '');
    rows.push({ email, tags });
  }
  return { categories: [...new Set(categories)], rows };
}

export function applyUpload(
  org: Organization,
  roster: Roster,
  flags: Record<AllstacksFlagName, boolean>,
  reconcileScope: ReconcileScope,
): void {
  const fileCategories = new Set(roster.categories);
  const given = new Map<string, Map<string, Set<string>>>(); // email key -> category -> tags in the file
  const givenTags = new Map<string, Set<string>>(); // category -> tags any row gives

  for (const row of roster.rows) {
    const key = row.email.toLowerCase();
    let contributor = org.contributors.get(key);
    if (!contributor) {
      contributor = { email: row.email, enabled: flags.enable_users, tags: new Map() };
      org.contributors.set(key, contributor);
    }
    if (flags.enable_users) contributor.enabled = true;
    const mine = given.get(key) ?? new Map<string, Set<string>>();
    given.set(key, mine);
    for (const [category, tag] of row.tags) {
      add(contributor.tags, category, tag);
      add(org.categories, category, tag);
      add(mine, category, tag);
      add(givenTags, category, tag);
    }
  }
  for (const category of fileCategories) if (!org.categories.has(category)) org.categories.set(category, new Set());

  if (flags.reconcile_tags) {
    for (const [key, mine] of given) {
      const contributor = org.contributors.get(key);
      for (const [category, tags] of contributor?.tags ?? []) {
        if (reconcileScope === 'fileCategories' && !fileCategories.has(category)) continue;
        for (const tag of tags) if (!mine.get(category)?.has(tag)) tags.delete(tag);
      }
    }
  }
  if (flags.disable_users) {
    for (const [key, contributor] of org.contributors) if (!given.has(key)) contributor.enabled = false;
  }
  if (flags.delete_tags) {
    for (const category of fileCategories) {
      for (const tag of org.categories.get(category) ?? []) {
        if (!givenTags.get(category)?.has(tag)) removeTag(org, category, tag);
      }
    }
  }
  if (flags.delete_tag_categories) {
    for (const category of [...org.categories.keys()]) {
      if (fileCategories.has(category)) continue;
      org.categories.delete(category);
      for (const contributor of org.contributors.values()) contributor.tags.delete(category);
    }
  }
}

function add(map: Map<string, Set<string>>, category: string, tag: string): void {
  const tags = map.get(category) ?? new Set<string>();
  tags.add(tag);
  map.set(category, tags);
}

function removeTag(org: Organization, category: string, tag: string): void {
  org.categories.get(category)?.delete(tag);
  for (const contributor of org.contributors.values()) contributor.tags.get(category)?.delete(tag);
}
