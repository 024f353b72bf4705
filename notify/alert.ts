/**
 * The events a sync alerts on (`notify.on`):
 * - `failed`: a run failed (nothing was delivered, or delivery failed);
 * - `held`: a safety rule held a run for an operator's decision;
 * - `partial`: delivered, but the target's vendor refused some rows;
 * - `unusual-change`: more than `notify.unusualChangePercent` of the people changed;
 * - `stale`: a scheduled sync has not succeeded within its interval plus `notify.staleGrace`.
 */
export const ALERT_KINDS = ['failed', 'held', 'partial', 'unusual-change', 'stale'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** What a run knows of its sync's `notify:` (activities/resolve.ts): kinds and a threshold, no addresses. */
export interface RunAlertSettings {
  on: readonly AlertKind[];
  unusualChangePercent: number;
}

/**
 * What a workflow asks to be announced: ids and facts it knows, never a person's data. The alert
 * activity reads the rest (counts, the failure, the hold, the change report's counts) from the run
 * record when it sends, so every channel says the same thing.
 */
export interface AlertRequest {
  kind: AlertKind;
  syncId: string;
  /** The run it is about (every kind but `stale`). */
  run?: { runId: string; workflowId: string };
  /** For `stale`: the last success (absent: never), when one was due by, and the schedule. */
  stale?: { lastSuccessAt?: string; lastSuccessRunId?: string; dueBy: string; cron: string; timezone: string };
}
