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
  rejected?: number;
  rendered?: number;
  filteredOut?: number;
}

export interface ArtifactRecord {
  id: string;
  checksum: string;
  bytes: number;
  rows: number;
}

export interface DeliveryRecord {
  target: string;
  location: string;
  checksum: string;
  bytes: number;
  skipped?: 'dry-run';
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
  artifact?: ArtifactRecord;
  delivery?: DeliveryRecord;
  /** The first rejected rows, by position and field only. */
  rejections: RowRejection[];
  error?: { type: string; message: string };
}
