import type { ScaffoldResult } from './generate';
import { targetDefinitionIdentifier } from './names';
import { formattingNote } from './next-steps';

export const TARGET_GUIDE_PATH = 'docs/writing-a-target.md';

/** What `targets new` prints after writing the files: the one registration line and what comes next. */
export function targetNextSteps(result: ScaffoldResult): string {
  const { kebab } = result.names;
  const definition = targetDefinitionIdentifier(result.names);
  const testFile = `test/targets/${kebab}.conformance.test.ts`;
  const lines = [
    `Created the "${kebab}" target, its vendor fake and its conformance test:`,
    ...result.files.map((file) => `  ${file}`),
    '',
    'As generated it uploads the rendered CSV to its fake (POST /users/import, bearer token) through the',
    'shared step protocol: it has no workflow code of its own.',
    `Next steps (the guide explains each one: ${TARGET_GUIDE_PATH}):`,
    '',
    `  1. Register it: add \`${definition}\` to TARGETS in targets/index.ts, with its import:`,
    `       import { ${definition} } from './${kebab}';`,
    '  2. Run its conformance test; it passes as generated (it starts the local stack, about a minute):',
    `       npx vitest run ${testFile}`,
    "  3. Make the fake behave like the vendor's API (from its docs), then adapt the target until the",
    '     test passes again. TODO comments mark the places:',
    `       grep -rn TODO targets/${kebab} test/fakes/${kebab} ${testFile}`,
    '  4. Check it is listed with its settings (./bin/rosterflow targets list), add a sync with',
    `     \`target: { type: ${kebab}, ... }\` to a config file, and run it (./bin/rosterflow run <syncId>).`,
  ];
  return [...lines, ...formattingNote(result)].join('\n');
}
