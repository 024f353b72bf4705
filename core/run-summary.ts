/**
 * The one-line summary a run carries in the Temporal Web UI (its static summary), e.g.
 * "acme-people: csv-drop -> staffbase (dry run)": ids and types only. Given by whoever starts the
 * run (the CLI, a Schedule); the workflow's current details say the rest as the run moves.
 */
export function runSummary(sync: { syncId: string; sourceType: string; targetType: string; dryRun?: boolean }): string {
  return `${sync.syncId}: ${sync.sourceType} -> ${sync.targetType}${sync.dryRun ? ' (dry run)' : ''}`;
}
