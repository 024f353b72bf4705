import { heartbeat } from '@temporalio/activity';
import type { ArtifactRecord } from '../store/run-record';
import { MAX_RECORDED_REJECTIONS } from '../store/runs';
import { targetDefinition } from '../targets';
import { renderArtifacts } from '../targets/sdk/render';
import type { ActivityDeps } from './deps';
import { loadRunSync } from './load-run-sync';
import { runStep } from './step';

export interface RenderInput {
  runId: string;
}

export interface RenderResult {
  artifacts: ArtifactRecord[];
  rendered: number;
  rejected: number;
  filteredOut: number;
}

export function createRenderActivities(deps: ActivityDeps) {
  return {
    /**
     * Renders the staged employees into the target's files (GridFS artifacts with checksums),
     * checking every row. Rejected employees go into the run's per-row report; a retry renders afresh.
     */
    async renderArtifacts({ runId }: RenderInput): Promise<RenderResult> {
      return runStep(deps, runId, 'render', async () => {
        const sync = await loadRunSync(deps, runId);
        const target = targetDefinition(sync.target.type);
        const outcome = await renderArtifacts(
          target.layouts(sync.target),
          deps.store.staging.readPages(runId),
          (fileName) => deps.store.artifacts.openWriter(fileName, { runId, syncId: sync.id }),
          (progress) => heartbeat(progress),
        );

        const artifacts = outcome.files.map(({ fileName, id, checksum, bytes, rows }) => ({
          fileName,
          id,
          checksum,
          bytes,
          rows,
        }));
        await deps.store.runs.setCounts(runId, {
          rendered: outcome.rendered,
          filteredOut: outcome.filteredOut,
          renderRejected: outcome.rejected,
        });
        await deps.store.runs.setArtifacts(runId, artifacts);
        if (outcome.rejections.length > 0) {
          await deps.store.runs.addRejections(runId, outcome.rejections.slice(0, MAX_RECORDED_REJECTIONS));
        }
        return { artifacts, rendered: outcome.rendered, rejected: outcome.rejected, filteredOut: outcome.filteredOut };
      });
    },
  };
}
