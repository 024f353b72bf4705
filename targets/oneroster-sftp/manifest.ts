import type { CsvRow } from '../sdk/layout';
import type { OneRosterTargetConfig } from './config';
import { MANIFEST_FILE_PROPERTIES, MANIFEST_VERSION, isFullProfile, oneRosterVersionOf } from './profiles';
import type { ManifestFileMode } from './profiles';

/** The files this target writes; every other `file.*` property is `absent` (and its file left out). */
const WRITTEN = new Set<string>(['file.orgs', 'file.users', 'file.roles']);

/**
 * manifest.csv's rows for a full profile: versions, every `file.*` property (receivers such as
 * ManageBac want all of them present) as `bulk` or `absent`, then the source system, which must be
 * populated and stable across imports.
 */
export function manifestRows(config: Pick<OneRosterTargetConfig, 'profile' | 'manifestSource'>): readonly CsvRow[] {
  if (!isFullProfile(config.profile)) return [];
  const mode = (property: string): ManifestFileMode => (WRITTEN.has(property) ? 'bulk' : 'absent');
  return [
    ['manifest.version', MANIFEST_VERSION],
    ['oneroster.version', oneRosterVersionOf(config.profile)],
    ...MANIFEST_FILE_PROPERTIES.map((property) => [property, mode(property)]),
    ['source.systemName', config.manifestSource.systemName],
    ['source.systemCode', config.manifestSource.systemCode],
  ];
}
