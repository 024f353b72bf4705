/**
 * A copy of `text` that shares no memory with the string it came from. Values sliced out of a larger
 * string (a page of records crossing from the csv parsing thread) keep all of it alive as long as
 * they live: what is kept for the whole run (an org's name) is kept as its own copy. Concatenating
 * makes V8 flatten into a new string; the slice of that holds only the value.
 */
export function ownString(text: string): string {
  return ` ${text}`.slice(1);
}
