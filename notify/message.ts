import type { ChangeReportSummary, RunCounts, RunRecord, RunStatus, RunTrigger, StepName } from '../store/run-record';
import type { AlertKind, AlertRequest } from './alert';
import { commandsFor } from './links';
import type { AlertCommand } from './links';
import { summarize } from './wording';

/**
 * One alert as every channel renders it, and as the `json` webhook sends it (version 1 of the
 * payload, docs/alerts.md). Ids, counts, rule sentences and links only: no person's name, email or
 * values. A section that does not apply to the kind is `null`, so receivers see the same keys always.
 */
export interface AlertMessage {
  version: 1;
  kind: AlertKind;
  syncId: string;
  /** The run it is about; `null` for `stale`. */
  run: AlertRun | null;
  /** One sentence, the same in every channel. */
  summary: string;
  /** The run's counts (absent counts are left out). */
  counts: AlertCounts;
  /** The change report's counts against the last delivery; `null` before planning or for `stale`. */
  changes: AlertChanges | null;
  /** Why the run failed: an error type, a sentence of ids and counts, and the step it failed in. */
  failure: { type: string; message: string; step: StepName | null } | null;
  hold: AlertHold | null;
  /** What the target's vendor refused of the delivery (a `partial` run): counts and vendor codes. */
  refused: { vendor: string; count: number; codes: { code: string; rows: number }[] } | null;
  stale: AlertStale | null;
  links: {
    /** The run's history in the Temporal Web UI; `null` when no Web UI is known. */
    run: string | null;
    /** The `rosterflow` commands that answer the alert, each with what it is for. */
    commands: AlertCommand[];
  };
  /** ISO time this message was built (each delivery attempt builds it afresh). */
  sentAt: string;
}

export interface AlertRun {
  runId: string;
  workflowId: string;
  dryRun: boolean;
  trigger: RunTrigger | null;
  status: RunStatus | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The run record's counts, and the plan's deactivations (employed at the last delivery, now inactive or gone). */
export type AlertCounts = RunCounts & { deactivations?: number };

export type AlertChanges = Omit<ChangeReportSummary, 'attempt' | 'durationMs'> & {
  /** The sync's `notify.unusualChangePercent`, when known. */
  unusualChangePercent?: number;
};

export interface AlertHold {
  reasons: string[];
  since: string;
  expiresAt: string;
  source: 'plan' | 'target-preview';
}

export type AlertStale = NonNullable<AlertRequest['stale']>;

export interface AlertMessageInput {
  alert: AlertRequest;
  /** The run record (`null`: none, or a `stale` alert). */
  run: RunRecord | null;
  /** The sync's `notify.unusualChangePercent`, for the wording of `unusual-change`. */
  unusualChangePercent?: number;
  /** The run's Web UI history link, when a Web UI is known. */
  runUrl?: string;
  sentAt: Date;
}

/** Builds the alert from the request and what the run record says now. */
export function buildAlertMessage(input: AlertMessageInput): AlertMessage {
  const { alert, run } = input;
  const body: Omit<AlertMessage, 'summary'> = {
    version: 1,
    kind: alert.kind,
    syncId: alert.syncId,
    run: alert.run ? runOf(alert.run, run) : null,
    counts: run ? countsOf(run) : {},
    changes: run?.changes ? changesOf(run.changes, input.unusualChangePercent) : null,
    failure: run?.error ? { type: run.error.type, message: run.error.message, step: failedStep(run) } : null,
    hold: run?.hold
      ? {
          reasons: run.hold.reasons,
          since: run.hold.since.toISOString(),
          expiresAt: run.hold.expiresAt.toISOString(),
          source: run.hold.source,
        }
      : null,
    refused: run?.delivery?.refused
      ? { vendor: run.delivery.refused.vendor, count: run.delivery.refused.count, codes: run.delivery.refused.codes }
      : null,
    stale: alert.stale ?? null,
    links: { run: input.runUrl ?? null, commands: commandsFor(alert) },
    sentAt: input.sentAt.toISOString(),
  };
  // `summary` second in the JSON, after the kind's identity: what a log line or a preview shows first.
  const { version, kind, syncId, run: about, ...rest } = body;
  return { version, kind, syncId, run: about, summary: summarize(body), ...rest };
}

function runOf(ids: { runId: string; workflowId: string }, run: RunRecord | null): AlertRun {
  return {
    runId: ids.runId,
    workflowId: ids.workflowId,
    dryRun: run?.dryRun ?? false,
    trigger: run?.trigger ?? null,
    status: run?.status ?? null,
    startedAt: run?.startedAt.toISOString() ?? null,
    finishedAt: run?.finishedAt?.toISOString() ?? null,
  };
}

function countsOf(run: RunRecord): AlertCounts {
  const counts: AlertCounts = {};
  for (const [name, value] of Object.entries(run.counts)) {
    if (typeof value === 'number') counts[name as keyof AlertCounts] = value;
  }
  if (run.plan) counts.deactivations = run.plan.deactivations;
  return counts;
}

function changesOf(summary: ChangeReportSummary, unusualChangePercent: number | undefined): AlertChanges {
  const { attempt: _attempt, durationMs: _durationMs, ...changes } = summary;
  return unusualChangePercent === undefined ? changes : { ...changes, unusualChangePercent };
}

/** The step that failed, else the last one that started (a failure between steps). */
function failedStep(run: RunRecord): StepName | null {
  const steps = Object.entries(run.steps) as [StepName, { status: string; startedAt: Date }][];
  const failed = steps.find(([, step]) => step.status === 'failed');
  if (failed) return failed[0];
  const latest = steps.sort(([, a], [, b]) => b.startedAt.getTime() - a.startedAt.getTime())[0];
  return latest?.[0] ?? null;
}
