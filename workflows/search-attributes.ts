import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

/**
 * The custom search attributes every run carries, for filtering in the Web UI and `temporal
 * workflow list --query`: ids, types and a status, never employee data. Declared once: the workflow
 * upserts them, the local stack registers them, and docs/operations.md gives the production commands.
 */
export const SYNC_ID = defineSearchAttributeKey('RosterflowSyncId', SearchAttributeType.KEYWORD);
export const SOURCE_TYPE = defineSearchAttributeKey('RosterflowSourceType', SearchAttributeType.KEYWORD);
export const TARGET_TYPE = defineSearchAttributeKey('RosterflowTargetType', SearchAttributeType.KEYWORD);
/** `schedule`, `cli`, `manual` (the Web UI or another client). */
export const TRIGGER = defineSearchAttributeKey('RosterflowTrigger', SearchAttributeType.KEYWORD);
export const DRY_RUN = defineSearchAttributeKey('RosterflowDryRun', SearchAttributeType.BOOL);
/** Moves with the run: `running`, `held`, then `succeeded`, `partial` or `failed`. */
export const RUN_STATUS = defineSearchAttributeKey('RosterflowStatus', SearchAttributeType.KEYWORD);

export const RUN_SEARCH_ATTRIBUTES = [SYNC_ID, SOURCE_TYPE, TARGET_TYPE, TRIGGER, DRY_RUN, RUN_STATUS] as const;

/** `Name=Type` pairs, as `temporal server start-dev --search-attribute` and `operator search-attribute create` take them. */
export function searchAttributeArgs(): { name: string; type: 'Keyword' | 'Bool' }[] {
  return RUN_SEARCH_ATTRIBUTES.map((key) => ({
    name: key.name,
    type: key.type === SearchAttributeType.BOOL ? 'Bool' : 'Keyword',
  }));
}
