import { Buffer } from 'node:buffer';
import type { OneRosterProfile } from './profiles';
import type { PackageProblem } from './validate-csv';
import { packageReads } from './validate-package';
import { ProblemLog } from './validate-problems';
import type { ValidateOptions } from './validate-rows';

export type { PackageProblem } from './validate-csv';
export { oneRosterRowRules } from './validate-rows';
export type { ValidateOptions } from './validate-rows';

export interface CheckOptions extends ValidateOptions {
  /** How many problems to keep, first in report order; the others are only counted. All by default. */
  keep?: number;
}

/** The problems kept, in report order, and how many were found in all. */
export interface PackageCheck {
  problems: PackageProblem[];
  count: number;
}

/**
 * Checks a package the way a strict receiver would (meibo, ManageBac, Alludo's page), for a package
 * held as texts; the streamed check (validate-stream.ts) runs the same reads over chunks. `files` maps
 * file names to CSV text. Reported:
 * - package: the files the profile reads, manifest presence and consistency (versions, every `file.*`
 *   property, absent files left out, bulk/delta files present, populated `source.*`);
 * - headers: exact names, order and completeness (extension columns only to the right, not for Alludo);
 * - cells: required values, enumerations (status, enabledUser, org type, roleType, role incl. `ext:`),
 *   dates and date-times, emails, bulk files' blank status/dateLastModified, delta files' populated ones;
 * - across rows and files: unique sourcedIds (and emails for Alludo), roles' users and orgs, users'
 *   primary orgs and agents, org parents (no loops; one level of `local` nesting for Alludo), and one
 *   primary role per user (exactly one for OneRoster, at most one for Alludo).
 * Files the profile has but this target never writes (classes, courses...) are checked only for presence.
 * A package too large to hold as strings is checked from streams (validate-stream.ts), the same way.
 */
export function validateOneRosterPackage(
  files: Readonly<Record<string, string>>,
  profile: OneRosterProfile,
  options: ValidateOptions = {},
): PackageProblem[] {
  return checkOneRosterTexts(files, profile, options).problems;
}

/** The package check over texts: each file handed over as one chunk, as a stream of one chunk would. */
export function checkOneRosterTexts(
  files: Readonly<Record<string, string>>,
  profile: OneRosterProfile,
  options: CheckOptions = {},
): PackageCheck {
  const log = new ProblemLog(options.keep);
  const names = Object.keys(files).filter((name) => files[name] !== undefined);
  for (const { file, write } of packageReads(names, profile, options, log)) write(Buffer.from(files[file] ?? ''));
  return { problems: log.problems(), count: log.count };
}
