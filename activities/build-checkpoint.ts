import { z } from 'zod';
import type { ArtifactRecord } from '../store/run-record';

/** The target's files as built: kept in the store, named here by id and checksum. */
export interface RenderResult {
  artifacts: ArtifactRecord[];
  rendered: number;
  rejected: number;
  filteredOut: number;
}

/** What the build step hands the workflow: ids, counts and checksums, never employee data. */
export interface BuildResult {
  extract: { pulled: number; rejected: number; pages: number };
  render: RenderResult;
}

const RowRejectionSchema = z.object({ row: z.string(), field: z.string(), reason: z.string() });

const ArtifactRecordSchema = z.object({
  fileName: z.string(),
  id: z.string(),
  checksum: z.string(),
  bytes: z.number(),
  rows: z.number(),
});

/**
 * The build's checkpoint as MongoDB keeps it, checked when read back: a checkpoint another version
 * wrote, or a damaged one, fails the step with a clear message instead of resuming from garbage.
 */
export const BuildCheckpointSchema = z.object({
  /**
   * The next stored page to write (pages before it are kept in the run's artifact pages): a source
   * page, or for a source that gathers (`checkpointRows`) the pages making up that many rows.
   */
  nextPage: z.int().nonnegative(),
  /** The source cursor after the last kept page; null before the first. */
  cursor: z.string().nullable(),
  pulled: z.int().nonnegative(),
  rejected: z.int().nonnegative(),
  /**
   * Employed ids written to the run's planned snapshot so far: a first delivery's plan takes its
   * count from here instead of reading them. Absent in checkpoints of older versions, whose plan reads.
   */
  employed: z.int().nonnegative().optional(),
  /** The records the source says its listing holds, when it says (for progress only). */
  total: z.int().nonnegative().optional(),
  /** The first rejected source rows (positions and fields only), so a resumed run reports them all. */
  rejections: z.array(RowRejectionSchema),
  renderer: z.object({
    tally: z.object({
      rendered: z.int().nonnegative(),
      filteredOut: z.int().nonnegative(),
      rejected: z.int().nonnegative(),
      rejections: z.array(RowRejectionSchema),
      rowsPerFile: z.array(z.int().nonnegative()),
    }),
    layouts: z.record(z.string(), z.unknown()),
  }),
  /** Set once the files are complete: a retry returns it as it is. */
  result: z
    .object({
      extract: z.object({ pulled: z.number(), rejected: z.number(), pages: z.number() }),
      render: z.object({
        artifacts: z.array(ArtifactRecordSchema),
        rendered: z.number(),
        rejected: z.number(),
        filteredOut: z.number(),
      }),
    })
    .optional(),
});

export type BuildCheckpoint = z.infer<typeof BuildCheckpointSchema>;
