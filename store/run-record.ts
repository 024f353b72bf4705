import type { RowRejection } from '../connectors/sdk/source';

export type RunTrigger = 'schedule' | 'manual' | 'cli';
export type RunStatus = 'running' | 'succeeded' | 'failed';
export type StepName = 'resolve' | 'extract' | 'render' | 'deliver';
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
  /** What the target reported about the delivery (preview or import counts). */
  counts?: Record<string, number>;
  /** The target's per-row error report, kept as an artifact (it can name people). */
  errorReport?: { artifactId: string; rows: number };
}

/** Something that happened during a run worth an operator's eye: a rate limit waited out, a retry. */
export interface RunEvent {
  at: Date;
  step: string;
  kind: string;
  detail: string;
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
  /** The first rejected rows, by position and field only. */
  rejections: RowRejection[];
  error?: { type: string; message: string };
}
