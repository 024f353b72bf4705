import { closestMatch } from 'leven';

/**
 * The valid name a mistyped one most likely meant (`jobTitel` -> `jobTitle`), or undefined when none
 * is close enough to be a typo rather than a different word.
 */
export function closestName(input: string, candidates: readonly string[]): string | undefined {
  // About one edit per three characters: `emial` finds `email`, `colour` does not find `status`.
  const maxDistance = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  return closestMatch(input, candidates, { maxDistance });
}

/** ` (did you mean "jobTitle"?)`, or nothing when no candidate is close. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const suggestion = closestName(input, candidates);
  return suggestion === undefined || suggestion === input ? '' : ` (did you mean "${suggestion}"?)`;
}
