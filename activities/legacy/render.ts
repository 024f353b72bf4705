import { createHash } from 'node:crypto';
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ArtifactRecord } from '../../store/run-record';
import { HEADER_SEQ, CLOSING_SEQ } from '../../store/render-segments';
import { MAX_RECORDED_REJECTIONS } from '../../store/runs';
import { targetDefinition } from '../../targets';
import { openMeasuredOutput } from '../../targets/sdk/render';
import { createPageRenderer } from '../../targets/sdk/page-renderer';
import type { RenderResult } from '../build-checkpoint';
import type { ActivityDeps } from '../deps';
import { failpoint } from '../failpoints';
import { withKeepAlive } from '../keep-alive';
import { loadRunSync } from '../load-run-sync';
import { runStep } from '../step';

export interface RenderInput {
  runId: string;
}

/** Kept in MongoDB after every rendered page: the first staged page whose segments are not yet kept. */
interface RenderCheckpoint {
  nextSeq: number;
  /** Set once the artifacts are assembled: a retry returns them as they are. */
  result?: RenderResult;
}

export function createRenderActivities(deps: ActivityDeps) {
  const { checkpoints, renderSegments, staging, runs, artifacts: artifactStore } = deps.store;

  return {
    /**
     * Renders the staged employees into the target's files, checking every row, as one segment per
     * staged page and file, checkpointed in MongoDB after each page; then assembles the files
     * (GridFS artifacts with checksums). A retry, on any worker, keeps the segments before the
     * checkpoint, rebuilds the render's state by replaying those pages (checked against the kept
     * bytes), and rewrites the rest: the artifacts are byte for byte those of an uninterrupted render.
     */
    async renderArtifacts({ runId }: RenderInput): Promise<RenderResult> {
      return runStep(deps, runId, 'render', async () => {
        const { attempt, activityId } = activityInfo();
        const writer = { attempt, activityId };
        const saved = await checkpoints.get<RenderCheckpoint>(runId, 'render');
        if (saved?.data.result) return saved.data.result;

        const sync = await loadRunSync(deps, runId);
        const layouts = targetDefinition(sync.target.type).layouts(sync.target);
        const renderer = createPageRenderer(layouts);
        const resumeAt = saved?.data.nextSeq ?? 0;
        // Claims the step: an earlier attempt still running somewhere can no longer checkpoint.
        await checkpoints.put<RenderCheckpoint>(runId, 'render', { nextSeq: resumeAt }, writer);
        await renderSegments.discardFrom(runId, resumeAt);
        const kept = await renderSegments.kept(runId, resumeAt);
        // Always (re)written: idempotent, and a crash between two files' headers leaves no file without one.
        await renderSegments.put(runId, HEADER_SEQ, renderer.header(), attempt);

        let replayed = 0;
        let nextSeq = resumeAt;
        await withKeepAlive(
          () => ({ rendered: renderer.tally.rendered }),
          async () => {
            for await (const { seq, records } of staging.readNumberedPages(runId)) {
              // Given up on by Temporal (heartbeats answered with a cancellation): stop writing.
              cancellationSignal().throwIfAborted();
              const { files: chunks, rejectedIds } = renderer.page(records);
              if (seq < resumeAt) {
                assertSameAsKept(kept, seq, chunks);
                replayed += 1;
                continue;
              }
              // The plan counts these people as gone from the target (they are in none of its files).
              if (rejectedIds.length > 0) await staging.setRenderRejected(runId, seq, rejectedIds);
              await renderSegments.put(runId, seq, chunks, attempt);
              nextSeq = seq + 1;
              await checkpoints.put<RenderCheckpoint>(runId, 'render', { nextSeq }, writer);
              heartbeat({ rendered: renderer.tally.rendered });
              await failpoint('render.after-page');
            }
          },
        );
        await renderSegments.put(runId, CLOSING_SEQ, renderer.closing(), attempt);
        // Still this step's owner before replacing the artifacts (an attempt given up on must not).
        cancellationSignal().throwIfAborted();
        await checkpoints.put<RenderCheckpoint>(runId, 'render', { nextSeq }, writer);

        const artifacts: ArtifactRecord[] = [];
        let assembled = 0;
        await withKeepAlive(
          () => ({ assembled }),
          async () => {
            for (const [file, layout] of layouts.entries()) {
              const output = await openMeasuredOutput(layout.fileName, (fileName) =>
                artifactStore.openWriter(fileName, { runId, syncId: sync.id }),
              );
              for await (const chunk of renderSegments.read(runId, file)) {
                await output.write(chunk);
                assembled += chunk.length;
              }
              artifacts.push({ ...(await output.end()), rows: renderer.tally.rowsPerFile[file]! });
            }
          },
        );

        const { rendered, filteredOut, rejected, rejections } = renderer.tally;
        const result: RenderResult = { artifacts, rendered, rejected, filteredOut };
        await runs.setCounts(runId, { rendered, filteredOut, renderRejected: rejected });
        await runs.setArtifacts(runId, artifacts);
        if (rejections.length > 0) await runs.addRejections(runId, rejections.slice(0, MAX_RECORDED_REJECTIONS));
        if (saved) {
          const keptFrom = new Set([...kept.values()].map((segment) => segment.attempt));
          await runs.addEvent(runId, {
            at: new Date(),
            step: 'render',
            kind: 'resumed',
            detail: `attempt ${attempt} continued from the checkpoint of attempt ${saved.attempt}: ${replayed} pages kept (written by attempt ${[...keptFrom].join(', ')}), ${renderer.tally.rowsPerFile.reduce((a, b) => a + b, 0)} rows in all`,
          });
        }
        await checkpoints.put<RenderCheckpoint>(runId, 'render', { nextSeq: resumeAt, result }, writer);
        await renderSegments.deleteRun(runId);
        return result;
      });
    },
  };
}

/**
 * A replayed page must give the bytes kept for it; if not, the staged pages or the layouts changed
 * under the run, and splicing old and new bytes would deliver a file no single render produced.
 */
function assertSameAsKept(kept: Map<string, { sha256: string }>, seq: number, chunks: readonly Buffer[]): void {
  for (const [file, chunk] of chunks.entries()) {
    const digest = kept.get(`${seq}:${file}`)?.sha256;
    const replayed = createHash('sha256').update(chunk).digest('hex');
    if (digest !== replayed) {
      throw ApplicationFailure.nonRetryable(
        `render: page ${seq} of file ${file + 1} no longer renders to the bytes kept at the checkpoint; the run's staged data changed`,
        'RenderDiverged',
      );
    }
  }
}
