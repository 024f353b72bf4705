import type { ScaffoldNames } from '../names';

/** targets/<name>/config.ts: the zod schema of the sync's `target:`, secrets as references. */
export function targetConfigTemplate(n: ScaffoldNames): string {
  return `import { z } from 'zod';
import { EMPLOYMENT_STATUSES } from '../../core/employee';
import { SafeBaseUrlSchema } from '../../io/safe-url';
import { SecretRefSchema } from '../../io/secrets';

/**
 * ${n.vendor}'s user import, a CSV file uploaded over HTTPS with an API token. TODO: name the vendor
 * and link its authentication docs: https://developers.${n.kebab}.example.com/docs/authentication
 */
export const ${n.pascal}TargetConfigSchema = z
  .object({
    type: z.literal('${n.kebab}'),
    /**
     * TODO: the vendor's real API base URL (tenant-specific ones take a \`subdomain\` setting instead).
     * https only, since the token goes with every request; plain http only to a loopback host (a fake).
     */
    baseUrl: SafeBaseUrlSchema.default('https://api.${n.kebab}.example.com/v1'),
    /** A secret reference (\`{ env: NAME }\` or \`{ file: PATH }\`), never the token itself. */
    apiToken: SecretRefSchema,
    /**
     * Who is written to the file; leavers (\`inactive\`) are left out by default. TODO: what the vendor
     * does with people an import leaves out (deactivates them, keeps them), and whether leavers should
     * be listed with their status instead.
     */
    statuses: z.array(z.enum(EMPLOYMENT_STATUSES)).min(1).default(['active', 'pending', 'leave']),
  })
  .strict();

export type ${n.pascal}TargetConfig = z.output<typeof ${n.pascal}TargetConfigSchema>;
`;
}
