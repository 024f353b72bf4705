import type { ScaffoldNames } from '../names';

/** connectors/<name>/config.ts: the zod config schema, secrets as references. */
export function configTemplate(n: ScaffoldNames): string {
  return `import { z } from 'zod';
import { EMPLOYMENT_STATUSES } from '../../core/employee';
import { SecretRefSchema } from '../../io/secrets';

/** The vendor's most employees per listing request. TODO: the real maximum from the vendor's API docs. */
export const ${n.constant}_MAX_PAGE_SIZE = 100;

/**
 * ${n.vendor} through an API token. TODO: name the vendor and link its authentication docs:
 * https://developers.${n.kebab}.example.com/docs/authentication
 */
export const ${n.pascal}ConfigSchema = z
  .object({
    type: z.literal('${n.kebab}'),
    /** TODO: the vendor's real API base URL (tenant-specific ones take a \`subdomain\` setting instead). */
    baseUrl: z.url().default('https://api.${n.kebab}.example.com/v1'),
    /** A secret reference (\`{ env: NAME }\` or \`{ file: PATH }\`), never the token itself. */
    apiToken: SecretRefSchema,
    /** Custom field name -> field path in the vendor's employee record, e.g. \`team: custom.team\`. */
    customFields: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Extra vendor status words -> canonical status (matched case-insensitively). */
    statusMap: z.record(z.string().min(1), z.enum(EMPLOYMENT_STATUSES)).default({}),
    /** Employees per listing request, at most the vendor's maximum. */
    pageSize: z.int().min(1).max(${n.constant}_MAX_PAGE_SIZE).default(${n.constant}_MAX_PAGE_SIZE),
  })
  .strict();

export type ${n.pascal}Config = z.infer<typeof ${n.pascal}ConfigSchema>;
`;
}
