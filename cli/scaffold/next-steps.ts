import type { ScaffoldResult } from './generate';

export const GUIDE_PATH = 'docs/writing-a-connector.md';

/** What `connectors new` prints after writing the files: what was made and what the author does next. */
export function nextSteps(result: ScaffoldResult): string {
  const { kebab, pascal, camel } = result.names;
  const testFile = `test/connectors/${kebab}.test.ts`;
  const lines = [
    `Created the "${kebab}" source connector, its vendor fake and its test:`,
    ...result.files.map((file) => `  ${file}`),
    '',
    'As generated it works against its fake, a plain JSON API (GET /employees?limit=&offset=, bearer token).',
    `Next steps (the guide explains each one: ${GUIDE_PATH}):`,
    '',
    '  1. Run its test; it passes as generated:',
    `       npx vitest run --project unit ${testFile}`,
    "  2. Make the fake behave like the vendor's API (from its docs), then adapt the connector until the",
    '     test passes again. TODO comments mark the places:',
    `       grep -rn TODO connectors/${kebab} test/fakes/${kebab} ${testFile}`,
    '  3. When it works, register it in connectors/index.ts. This command does not edit that file: a',
    '     registered type is accepted in every config file and listed by `rosterflow connectors list`,',
    '     so a skeleton that still talks to a made-up API stays out of the registry until its author',
    '     makes it real. Add the two imports:',
    `       import { ${camel}Source } from './${kebab}';`,
    `       import { ${pascal}ConfigSchema } from './${kebab}/config';`,
    `     then \`${camel}Source\` to SOURCE_DEFINITIONS and \`${pascal}ConfigSchema\` to the SourceConfigSchema union.`,
    `  4. Check it is listed with its settings (./bin/rosterflow connectors list), add a sync with`,
    `     \`source: { type: ${kebab}, ... }\` to a config file, and run it (./bin/rosterflow run <syncId>).`,
  ];
  return [...lines, ...formattingNote(result)].join('\n');
}

/** What to run when Prettier could not format the generated files. */
export function formattingNote(result: ScaffoldResult): string[] {
  if (result.formatted) return [];
  return [
    '',
    `Prettier was not available, so the files are as generated: npx prettier --write ${result.files.join(' ')}`,
  ];
}
