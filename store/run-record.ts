import type { RowRejection } from '../connectors/sdk/source';

export type RunTrigger = 'schedule' | 'manual' | 'cli';
/**
 * `held`: a safety rule tripped and the run waits for an operator (see `hold`); it then runs on or fails.
 * `partial`: delivered, but the target's vendor refused some rows (see `delivery.refused`).
 */
export type RunStatus = 'running' | 'held' | 'succeeded' | 'partial' | 'failed';
/** `extract` and `render` are the two steps of runs from before the one-pass `build`. */
export type StepName = 'resolve' | 'build' | 'extract' | 'render' | 'deliver';
export type StepStatus = 'running' | 'succeeded' | 'failed';

export interface StepRecord {
  status: StepStatus;
  attempt: number;
  startedAt: Date;
  finishedAt?: Date;
  durationMs?: number;
  error?: string;
}

export interface RunCounts {
  pulled?: number;
  /** Source rows that could not become employees. */
  rejected?: number;
  rendered?: number;
  filteredOut?: number;
  /** Employees a target's row checks refused (invalid or duplicate email, missing field...). */
  renderRejected?: number;
  /** Rows of the delivered file the target's vendor refused (a `partial` run). */
  vendorRefused?: number;
  /** Employed ids in the run's planned snapshot, as the build wrote them (absent from older builds). */
  employed?: number;
}

/** A row the vendor refused, by its place and the vendor's code only (never the row's values). */
export interface VendorRefusedRow {
  /** The line of the delivered file (the header is line 1), when the vendor says. */
  line?: number;
  /** The row's identifier (our sourceId), when the vendor says. */
  externalId?: string;
  code?: string;
}

/**
 * What a target reports it refused of a delivered file: counts and codes, safe for workflow history.
 * Any target can report it; a delivery that carries it makes the run `partial`.
 */
export interface VendorRefusalSummary {
  vendor: string;
  /** Every refused row. */
  count: number;
  /** Rows per vendor code, most first (rows without a code are only in `count`). */
  codes: { code: string; rows: number }[];
}

/** The refusal summary with the first rows themselves, for the run record only. */
export interface VendorRefusals extends VendorRefusalSummary {
  /** The first MAX_RECORDED_REJECTIONS rows, in the vendor's order. */
  rows: VendorRefusedRow[];
}

export interface ArtifactRecord {
  fileName: string;
  id: string;
  checksum: string;
  bytes: number;
  rows: number;
}

export interface DeliveryRecord {
  target: string;
  location: string;
  /** The target's own id for this delivery (a Staffbase import id), when it has one. */
  remoteId?: string;
  /** States the target reported, in order, with when they were seen. */
  states?: { state: string; at: Date }[];
  /** The target's preview of what the delivery would do (e.g. created, deactivated); only counts it reported. */
  preview?: Record<string, number>;
  /** What the target reports the delivery did; only counts it reported. */
  result?: Record<string, number>;
  /** The target's per-row error report, kept as an artifact (it can name people). */
  errorReport?: { artifactId: string; rows: number };
  /** Rows the vendor refused (from its error report), by place and code only. */
  refused?: VendorRefusals;
}

/** The plan step's counts (core/safety-rules.ts): this run against the sync's last delivery. */
export interface PlanRecord {
  pulled: number;
  /** Employed people (any status but inactive) in this run. */
  active: number;
  /** Absent on a sync's first delivery: nothing to compare against. */
  previousPulled?: number;
  previousActive?: number;
  /** The run whose delivery these compare against, and when it delivered (ISO). */
  previousRunId?: string;
  previousDeliveredAt?: string;
  /** Employed at the last delivery and now inactive or gone from the source. */
  deactivations: number;
  /** The safety rules this run tripped, as sentences of counts (also recorded for dry runs, which never hold). */
  tripped: string[];
}

/** Why someone delivered last time is deactivated now (the change report, store/change-reports.ts). */
export const DEACTIVATION_REASONS = [
  'left',
  'inactive',
  'gone-from-source',
  'refused-by-check',
  'out-of-scope',
] as const;
export type DeactivationReason = (typeof DEACTIVATION_REASONS)[number];

/**
 * The change report's counts (the people themselves are in the run's report, in MongoDB only): this
 * run's files against what the sync last delivered, person by person.
 */
export interface ChangeReportSummary {
  /** The run whose delivery this compares against; absent on a sync's first delivery. */
  baselineRunId?: string;
  /**
   * The last delivery's run when it kept no people (built before change reports): this report then
   * compares against nothing, so everyone in the files reads as added.
   */
  baselineUnavailable?: string;
  /** People in the files of that delivery: the base of `changedPercent`. */
  baselineDelivered: number;
  added: number;
  /** In both deliveries with at least one column changed. */
  changed: number;
  deactivated: number;
  unchanged: number;
  /** Deactivations by reason. */
  deactivatedBy: Partial<Record<DeactivationReason, number>>;
  /** (added + changed + deactivated) as a share of `baselineDelivered`; absent on a first delivery. */
  changedPercent?: number;
  /**
   * Set when there was nothing to compare against (a first delivery, or a baseline from before
   * reports): everyone in the files is added, and the files themselves are the list, so the added
   * are counted but not listed.
   */
  addedNotListed?: true;
  /** The report attempt whose entries are current (store/change-reports.ts). */
  attempt: number;
  /** How long comparing and writing the report took. */
  durationMs?: number;
}

/** An operator's answer to a hold. */
export interface HoldDecision {
  approve: boolean;
  by: string;
  reason: string;
  at: Date;
}

/** Why a run was held, until when, and what became of it. */
export interface HoldRecord {
  reasons: string[];
  since: Date;
  expiresAt: Date;
  /** Where the hold came from: the sync's own rules, or a target's import preview. */
  source: 'plan' | 'target-preview';
  decision?: HoldDecision;
  /** Set when nobody answered in time. */
  expired?: boolean;
}

/** Something that happened during a run worth an operator's eye: a rate limit waited out, a retry. */
export interface RunEvent {
  at: Date;
  step: string;
  kind: string;
  detail: string;
  /** When a durable wait this event announces ends (a rate limit waited out). */
  until?: Date;
}

/** One document per workflow run in `runs`, keyed by the Temporal run id. No employee data. */
export interface RunRecord {
  _id: string;
  syncId: string;
  workflowId: string;
  runId: string;
  trigger: RunTrigger;
  dryRun: boolean;
  status: RunStatus;
  startedAt: Date;
  finishedAt?: Date;
  durationMs?: number;
  /** Steps in the order they started; each keeps its latest attempt. */
  steps: Partial<Record<StepName, StepRecord>>;
  counts: RunCounts;
  /** The validated sync definition the run uses, so every step sees the same one. */
  sync?: unknown;
  sourceType?: string;
  targetType?: string;
  artifacts?: ArtifactRecord[];
  delivery?: DeliveryRecord;
  events?: RunEvent[];
  plan?: PlanRecord;
  /** When the retention dropped its artifact pages and change report (ROSTERFLOW_RUN_DATA_RETENTION). */
  dataExpiredAt?: Date;
  /** The change report's counts (absent for runs from before reports, and runs that failed before planning). */
  changes?: ChangeReportSummary;
  /** Set when a safety rule held the run for an operator's decision. */
  hold?: HoldRecord;
  /** The first rejected rows, by position and field only. */
  rejections: RowRejection[];
  error?: { type: string; message: string };
}
