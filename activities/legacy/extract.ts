import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { createSource, defaultSourceDeps } from '../../connectors';
import type { RowRejection } from '../../connectors/sdk/source';
import type { CheckpointWriter } from '../../store/checkpoints';
import { MAX_RECORDED_REJECTIONS } from '../../store/runs';
import type { ActivityDeps } from '../deps';
import { failpoint } from '../failpoints';
import { withKeepAlive } from '../keep-alive';
import { loadRunSync } from '../load-run-sync';
import { runStep } from '../step';

export interface ExtractInput {
  runId: string;
}

export interface ExtractResult {
  pulled: number;
  rejected: number;
  pages: number;
}

/** Kept in MongoDB after every staged page: the next page to stage and the source cursor to read it from. */
interface ExtractCheckpoint {
  seq: number;
  cursor: string | undefined;
  pulled: number;
  rejected: number;
  /** The first rejected rows (positions and fields only), so a resumed run reports them all. */
  rejections: RowRejection[];
  /** Set once the source said there is no more: a retry then reads nothing. */
  done?: boolean;
}

export function createExtractActivities(deps: ActivityDeps) {
  return {
    /**
     * Pulls every employee from the source and stages them page by page in the store, checkpointing
     * after each page in MongoDB. A retried attempt, on any worker, continues from the checkpoint:
     * a page staged after it is discarded and read again, pages before it are never re-read.
     */
    async extractEmployees({ runId }: ExtractInput): Promise<ExtractResult> {
      return runStep(deps, runId, 'extract', async () => {
        const { attempt, activityId } = activityInfo();
        const writer = { attempt, activityId };
        const saved = await deps.store.checkpoints.get<ExtractCheckpoint>(runId, 'extract');
        const checkpoint: ExtractCheckpoint = saved?.data ?? {
          seq: 0,
          cursor: undefined,
          pulled: 0,
          rejected: 0,
          rejections: [],
        };
        if (!checkpoint.done) {
          // Claims the step: an earlier attempt still running somewhere can no longer checkpoint.
          await deps.store.checkpoints.put(runId, 'extract', checkpoint, writer);
          await deps.store.staging.discardFrom(runId, checkpoint.seq);
          if (saved) {
            await deps.store.runs.addEvent(runId, {
              at: new Date(),
              step: 'extract',
              kind: 'resumed',
              detail: `attempt ${attempt} continues from the checkpoint of attempt ${saved.attempt}: ${checkpoint.seq} pages (${checkpoint.pulled} employees) already staged are not read again`,
            });
          }
          await withKeepAlive(
            () => ({ seq: checkpoint.seq, pulled: checkpoint.pulled }),
            () => stagePages(runId, checkpoint, writer),
          );
        }
        const { seq, pulled, rejected, rejections } = checkpoint;
        await deps.store.runs.setCounts(runId, { pulled, rejected });
        if (rejections.length > 0) await deps.store.runs.setRejections(runId, rejections);
        return { pulled, rejected, pages: seq };
      });
    },
  };

  /** Reads the source from the checkpoint's cursor, moving the checkpoint (in place) past every page staged. */
  async function stagePages(runId: string, checkpoint: ExtractCheckpoint, writer: CheckpointWriter): Promise<void> {
    const sync = await loadRunSync(deps, runId);
    const source = createSource(sync.source, deps.sourceDeps ?? defaultSourceDeps());
    // A checkpoint saved before the first page stores its absent cursor as null: that is "from the start".
    const resumeFrom = checkpoint.cursor ?? undefined;
    for await (const page of source.listEmployees({ signal: cancellationSignal() }, resumeFrom)) {
      // Given up on by Temporal (heartbeats answered with a cancellation): stop before staging more.
      cancellationSignal().throwIfAborted();
      await deps.store.staging.putPage(runId, checkpoint.seq, page.records, page.cursor);
      checkpoint.seq += 1;
      checkpoint.cursor = page.cursor;
      checkpoint.pulled += page.records.length;
      checkpoint.rejected += page.rejected.length;
      checkpoint.rejections.push(
        ...page.rejected.slice(0, Math.max(0, MAX_RECORDED_REJECTIONS - checkpoint.rejections.length)),
      );
      await deps.store.checkpoints.put(runId, 'extract', checkpoint, writer);
      heartbeat({ seq: checkpoint.seq, pulled: checkpoint.pulled });
      await failpoint('extract.after-page');
    }
    checkpoint.done = true;
    await deps.store.checkpoints.put(runId, 'extract', checkpoint, writer);
  }
}
