import { targetDefinitionIdentifier, targetStepActivity } from '../names';
import type { ScaffoldNames } from '../names';

/** targets/<name>/index.ts: the TargetDefinition its one line in targets/index.ts registers. */
export function targetDefinitionTemplate(n: ScaffoldNames): string {
  return `import type { TargetDefinition } from '../sdk/definition';
import { create${n.pascal}Activities } from './activities';
import { ${n.camel}Location } from './client';
import { ${n.pascal}TargetConfigSchema } from './config';
import type { ${n.pascal}TargetConfig } from './config';
import { create${n.pascal}Layouts } from './layout';

/** ${n.vendor}: one upload of the rendered CSV, through the shared step protocol (no workflow code of its own). */
export const ${targetDefinitionIdentifier(n)}: TargetDefinition<${n.pascal}TargetConfig> = {
  type: '${n.kebab}',
  // TODO: one line naming the vendor and how it takes the file (shown by \`rosterflow targets list\`).
  title: '${n.vendor} user import (CSV upload over HTTPS, bearer token)',
  // TODO: the vendor's documentation of the import endpoint.
  docsUrl: 'https://developers.${n.kebab}.example.com/reference/import-users',
  configSchema: ${n.pascal}TargetConfigSchema,
  layouts: create${n.pascal}Layouts,
  location: ${n.camel}Location,
  activities: create${n.pascal}Activities,
  // The activity the shared step driver calls (targets/sdk/step-delivery.ts);
  // test/unit/target-registry.test.ts checks the worker registers it.
  deliveryStep: '${targetStepActivity(n)}',
};
`;
}
