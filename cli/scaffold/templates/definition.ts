import type { ScaffoldNames } from '../names';

/** connectors/<name>/index.ts: the SourceDefinition the registry lists. */
export function definitionTemplate(n: ScaffoldNames): string {
  return `import type { SourceDefinition } from '../sdk/source';
import { ${n.pascal}ConfigSchema } from './config';
import type { ${n.pascal}Config } from './config';
import { create${n.pascal}Source } from './source';

export const ${n.camel}Source: SourceDefinition<${n.pascal}Config> = {
  type: '${n.kebab}',
  // TODO: one line naming the vendor, the API and how it authenticates (shown by \`rosterflow connectors list\`).
  title: '${n.vendor} employee list, via an API token',
  // TODO: the vendor's documentation page for the endpoints used.
  docsUrl: 'https://developers.${n.kebab}.example.com/reference/list-employees',
  configSchema: ${n.pascal}ConfigSchema,
  create: create${n.pascal}Source,
};
`;
}
