import ms from 'ms';
import { z } from 'zod';
import { FieldPathSchema } from '../../core/field-path';
import type { FieldPath } from '../../core/field-path';
import { SafeBaseUrlSchema } from '../../io/safe-url';
import { SecretRefSchema } from '../../io/secrets';
import { DeactivationLimitsSchema } from '../sdk/deactivation-limits';
import { ENTERPRISE_USER_SCHEMA, MANAGER, SCIM_ATTRIBUTES, WORK_EMAIL } from './attributes';
import type { ScimAttribute } from './attributes';

const AttributeSchema = z.enum(SCIM_ATTRIBUTES, {
  error: () => `must be a SCIM User attribute path: one of ${SCIM_ATTRIBUTES.join(', ')}`,
});

const MappingSchema = z
  .object({
    attribute: AttributeSchema,
    /** The employee field the value is read from; the manager reads the manager's HR id. */
    field: FieldPathSchema,
  })
  .strict();

export type ScimMapping = { attribute: ScimAttribute; field: FieldPath };

/** What a config without `attributes` maps: the core User and the enterprise extension's usual fields. */
const DEFAULT_ATTRIBUTES: ScimMapping[] = [
  { attribute: 'userName', field: 'workEmail' },
  { attribute: 'name.givenName', field: 'firstName' },
  { attribute: 'name.familyName', field: 'lastName' },
  { attribute: 'displayName', field: 'displayName' },
  { attribute: WORK_EMAIL, field: 'workEmail' },
  { attribute: 'title', field: 'jobTitle' },
  { attribute: `${ENTERPRISE_USER_SCHEMA}:employeeNumber`, field: 'employeeNumber' },
  { attribute: `${ENTERPRISE_USER_SCHEMA}:department`, field: 'department' },
  { attribute: MANAGER, field: 'managerSourceId' },
];

const duration = z.string().refine((value) => typeof (ms(value as ms.StringValue) as unknown) === 'number', {
  error: 'must be a duration such as "30s" or "2m"',
});

const AuthSchema = z.union(
  [
    z.object({ bearerToken: SecretRefSchema }).strict(),
    z
      .object({
        oauth2: z
          .object({
            tokenUrl: SafeBaseUrlSchema,
            clientId: z.string().min(1),
            clientSecret: SecretRefSchema,
            scope: z.string().optional(),
          })
          .strict(),
      })
      .strict(),
  ],
  { error: 'must be { bearerToken: <secret> } or { oauth2: { tokenUrl, clientId, clientSecret } }' },
);

/**
 * A SCIM 2.0 service provider (RFC 7643/7644): users are matched by `externalId` (the HR id), created,
 * patched attribute by attribute, and deactivated (or deleted) when they leave.
 */
export const ScimTargetConfigSchema = z
  .object({
    type: z.literal('scim'),
    /** The SCIM base URL, e.g. https://api.slack.com/scim/v2 (the one before /Users). */
    baseUrl: SafeBaseUrlSchema,
    auth: AuthSchema,
    /** Employee fields to SCIM attributes; userName must be mapped. externalId is always the HR id. */
    attributes: z.array(MappingSchema).min(1).default(DEFAULT_ATTRIBUTES),
    /** What happens to a leaver (or a managed user gone from the source): `active: false`, or DELETE. */
    leavers: z.enum(['deactivate', 'delete']).default('deactivate'),
    /** The app's write limit (Slack: about 180 user writes a minute); unset sends as fast as it answers. */
    writesPerMinute: z.int().min(1).optional(),
    /** Per request, the answer included. */
    requestTimeout: duration.default('30s'),
    /**
     * Checked against the plan made from the app's own users before anything is written: more
     * deactivations (or deletions) than this holds the run (or fails it: the sync's onPreviewTrip).
     * The percentage is of the active users this target manages in the app.
     */
    safety: DeactivationLimitsSchema,
  })
  .strict()
  .superRefine((target, ctx) => {
    const seen = new Set<string>();
    target.attributes.forEach((mapping, index) => {
      if (seen.has(mapping.attribute)) {
        ctx.addIssue({ code: 'custom', path: ['attributes', index, 'attribute'], message: 'is mapped twice' });
      }
      seen.add(mapping.attribute);
    });
    if (!seen.has('userName')) {
      ctx.addIssue({ code: 'custom', path: ['attributes'], message: 'must map userName (SCIM requires it)' });
    }
  });

export type ScimTargetConfig = z.output<typeof ScimTargetConfigSchema>;

export function requestTimeoutMs(config: Pick<ScimTargetConfig, 'requestTimeout'>): number {
  return ms(config.requestTimeout as ms.StringValue);
}
