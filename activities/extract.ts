import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { createSource, defaultSourceDeps } from '../connectors';
import type { RowRejection } from '../connectors/sdk/source';
import { MAX_RECORDED_REJECTIONS } from '../store/runs';
import type { ActivityDeps } from './deps';
import { loadRunSync } from './load-run-sync';
import { runStep } from './step';

export interface ExtractInput {
  runId: string;
}

export interface ExtractResult {
  pulled: number;
  rejected: number;
  pages: number;
}

/** Heartbeat details: the next page to stage, and the source cursor to read it from. */
interface ExtractCheckpoint {
  seq: number;
  cursor: string | undefined;
  pulled: number;
  rejected: number;
}

export function createExtractActivities(deps: ActivityDeps) {
  return {
    /**
     * Pulls every employee from the source and stages them page by page in the store. A retried
     * attempt continues from the last heartbeat: pages staged after it are discarded and re-read.
     */
    async extractEmployees({ runId }: ExtractInput): Promise<ExtractResult> {
      return runStep(deps, runId, 'extract', async () => {
        const sync = await loadRunSync(deps, runId);
        const source = createSource(sync.source, deps.sourceDeps ?? defaultSourceDeps());
        const checkpoint = (activityInfo().heartbeatDetails as ExtractCheckpoint | undefined) ?? {
          seq: 0,
          cursor: undefined,
          pulled: 0,
          rejected: 0,
        };
        await deps.store.staging.discardFrom(runId, checkpoint.seq);

        let { seq, pulled, rejected } = checkpoint;
        const rejections: RowRejection[] = [];
        for await (const page of source.listEmployees({ signal: cancellationSignal() }, checkpoint.cursor)) {
          await deps.store.staging.putPage(runId, seq, page.records, page.cursor);
          seq += 1;
          pulled += page.records.length;
          rejected += page.rejected.length;
          rejections.push(...page.rejected.slice(0, Math.max(0, MAX_RECORDED_REJECTIONS - rejections.length)));
          heartbeat({ seq, cursor: page.cursor, pulled, rejected } satisfies ExtractCheckpoint);
        }

        await deps.store.runs.setCounts(runId, { pulled, rejected });
        if (rejections.length > 0) await deps.store.runs.setRejections(runId, rejections);
        return { pulled, rejected, pages: seq };
      });
    },
  };
}
