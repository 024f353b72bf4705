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
  /**
   * Its tags as interned `category\u0000tag` keys (one shared string per pair across the organisation),
   * so a million contributors cost an array of pointers each rather than a map of sets.
   */
  tags: string[];
  /** The number of the last upload that listed it. */
  listedIn: number;
}

export interface Organization {
  /** Keyed by lower-cased email. */
  contributors: Map<string, Contributor>;
  categories: Map<string, Set<string>>;
  /** Every `category\u0000tag` key in use, interned. */
  pairs: Map<string, string>;
  uploads: number;
}

export interface ContributorSnapshot {
  email: string;
  enabled: boolean;
  tags: Record<string, string[]>;
}

/** One data row of a file that passed the header check. */
export interface RosterRow {
  email: string;
  tags: [category: string, tag: string][];
}

const EMAIL_HEADERS = ['Email', 'User Work Email Address'];
const LOOKS_LIKE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SEPARATOR = '\u0000';

export function emptyOrganization(): Organization {
  return { contributors: new Map(), categories: new Map(), pairs: new Map(), uploads: 0 };
}

/** The header's tag categories, or the formatting problem Allstacks would email about. */
export function readHeader(header: string[] | undefined): string[] | { problem: string } {
  if (!header) return { problem: 'The CSV file is empty.' };
  if (!EMAIL_HEADERS.includes(header[0] ?? '')) return { problem: 'The first column header must be Email.' };
  const categories = header.slice(1);
  const blank = categories.findIndex((category) => category.trim() === '');
  if (blank >= 0) return { problem: `Column ${blank + 2} has no header (tag category).` };
  return categories;
}

/** A data record (file row `index + 2`) as a row, or the problem that makes the whole file fail. */
export function readRow(
  record: string[],
  index: number,
  categories: readonly string[],
): RosterRow | { problem: string } {
  const email = (record[0] ?? '').trim();
  if (!LOOKS_LIKE_EMAIL.test(email)) return { problem: `Row ${index + 2} has no valid email address.` };
  const tags = categories
    .map((category, column): [string, string] => [category, (record[column + 1] ?? '').trim()])
    .filter(([, tag]) => tag !== '');
  return { email, tags };
}

/** Adds a tag to a contributor (and its category to the organisation), once. */
export function tagContributor(org: Organization, contributor: Contributor, category: string, tag: string): void {
  const key = `${category}${SEPARATOR}${tag}`;
  const pair = org.pairs.get(key) ?? key;
  org.pairs.set(key, pair);
  if (!contributor.tags.includes(pair)) contributor.tags.push(pair);
  add(org.categories, category, tag);
}

/** A contributor's tags by category, in the order they were given. */
export function tagsByCategory(contributor: Contributor): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const pair of contributor.tags) {
    const [category, tag] = splitPair(pair);
    grouped.set(category, [...(grouped.get(category) ?? []), tag]);
  }
  return grouped;
}

/**
 * Applies one file that passed every check, row by row as it is read again (a file is applied
 * whole or not at all, so it was checked in a first pass): `row` for each row, then `finish`.
 */
export class UploadApplication {
  private readonly fileCategories: Set<string>;
  /** category -> tags any row gives */
  private readonly givenTags = new Map<string, Set<string>>();
  private readonly upload: number;

  constructor(
    private readonly org: Organization,
    categories: readonly string[],
    private readonly flags: Record<AllstacksFlagName, boolean>,
    private readonly reconcileScope: ReconcileScope,
  ) {
    this.fileCategories = new Set(categories);
    org.uploads += 1;
    this.upload = org.uploads;
  }

  row(row: RosterRow): void {
    const { org, flags } = this;
    const lower = row.email.toLowerCase();
    const key = lower === row.email ? row.email : lower; // one string, not two, for the usual lower-case address
    let contributor = org.contributors.get(key);
    if (!contributor) {
      contributor = { email: row.email, enabled: flags.enable_users, tags: [], listedIn: 0 };
      org.contributors.set(key, contributor);
    }
    if (flags.enable_users) contributor.enabled = true;
    if (contributor.listedIn !== this.upload) {
      contributor.listedIn = this.upload;
      // reconcile_tags: a listed contributor keeps, in scope, only the tags its rows give.
      if (flags.reconcile_tags) contributor.tags = contributor.tags.filter((pair) => !this.inScope(pair));
    }
    for (const [category, tag] of row.tags) {
      tagContributor(org, contributor, category, tag);
      add(this.givenTags, category, tag);
    }
  }

  finish(): void {
    const { org, flags } = this;
    for (const category of this.fileCategories)
      if (!org.categories.has(category)) org.categories.set(category, new Set());
    if (flags.disable_users) {
      for (const contributor of org.contributors.values()) {
        if (contributor.listedIn !== this.upload) contributor.enabled = false;
      }
    }
    if (flags.delete_tags) {
      for (const category of this.fileCategories) {
        for (const tag of org.categories.get(category) ?? []) {
          if (this.givenTags.get(category)?.has(tag)) continue;
          org.categories.get(category)?.delete(tag);
          stripTags(org, (pair) => pair === `${category}${SEPARATOR}${tag}`);
        }
      }
    }
    if (flags.delete_tag_categories) {
      for (const category of [...org.categories.keys()]) {
        if (this.fileCategories.has(category)) continue;
        org.categories.delete(category);
        stripTags(org, (pair) => splitPair(pair)[0] === category);
      }
    }
  }

  private inScope(pair: string): boolean {
    return this.reconcileScope === 'allCategories' || this.fileCategories.has(splitPair(pair)[0]);
  }
}

function splitPair(pair: string): [category: string, tag: string] {
  const at = pair.indexOf(SEPARATOR);
  return [pair.slice(0, at), pair.slice(at + 1)];
}

function add(map: Map<string, Set<string>>, category: string, tag: string): void {
  const tags = map.get(category) ?? new Set<string>();
  tags.add(tag);
  map.set(category, tags);
}

/** Strips the matching tags from every contributor. */
function stripTags(org: Organization, matches: (pair: string) => boolean): void {
  for (const contributor of org.contributors.values()) {
    if (contributor.tags.some(matches)) contributor.tags = contributor.tags.filter((pair) => !matches(pair));
  }
}
