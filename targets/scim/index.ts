import type { TargetDefinition } from '../sdk/definition';
import { createScimActivities, scimLocation } from './activities';
import { ScimTargetConfigSchema } from './config';
import type { ScimTargetConfig } from './config';
import { createScimLayouts } from './layout';

/** SCIM 2.0 provisioning, person by person, through the shared step protocol (no workflow code of its own). */
export const scimTarget: TargetDefinition<ScimTargetConfig> = {
  type: 'scim',
  title: 'SCIM 2.0 user provisioning (RFC 7643/7644): create, patch, deactivate by externalId',
  docsUrl: 'https://datatracker.ietf.org/doc/html/rfc7644',
  configSchema: ScimTargetConfigSchema,
  layouts: createScimLayouts,
  location: scimLocation,
  activities: createScimActivities,
  deliveryStep: 'deliverScim',
  // The plan counts what the app holds: its deactivation limits replace the sync-level share.
  previewChecksDeactivations: () => true,
};
