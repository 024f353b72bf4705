import { activityInfo, cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createSecretResolver } from '../../io/secrets';
import { RosterflowError } from '../../core/errors';
import { allstacksLocation, createAllstacksHttpClient, uploadRoster } from './client';
import type { AllstacksUploadResult } from './client';
import type { ActivityDeps } from '../../activities/deps';
import { failpoint } from '../../activities/failpoints';
import { withKeepAlive } from '../../activities/keep-alive';
import { loadRunSync } from '../../activities/load-run-sync';
import type { RenderResult } from '../../activities/build-checkpoint';
import { runStep } from '../../activities/step';
import { artifactSource } from '../sdk/artifact-source';

export interface AllstacksUploadInput {
  runId: string;
  artifacts: RenderResult['artifacts'];
}

/** Kept in MongoDB around the one upload request, so a retry knows whether the file already went. */
interface AllstacksDeliveryCheckpoint {
  kind: 'allstacks';
  checksum: string;
  /** `refused`: Allstacks answered with a 4xx (a 429 included), so the file did not land. */
  state: 'sending' | 'uploaded' | 'refused';
  /** Allstacks' HTTP status for the upload, once it answered. */
  status?: number;
}

export function createAllstacksActivities(deps: ActivityDeps) {
  return {
    /**
     * One multipart upload of the rendered roster. A 429 is returned, not thrown: the workflow waits
     * it out on a durable timer (visible in history and the run record) instead of an activity retry.
     */
    async uploadToAllstacks({ runId, artifacts }: AllstacksUploadInput): Promise<AllstacksUploadResult> {
      return runStep(deps, runId, 'deliver', async () => {
        const sync = await loadRunSync(deps, runId);
        const [artifact] = artifacts;
        if (sync.target.type !== 'allstacks' || !artifact) {
          throw ApplicationFailure.nonRetryable(
            `uploadToAllstacks cannot deliver a ${sync.target.type} target`,
            'InvalidInput',
          );
        }
        const location = allstacksLocation(sync.target);
        const saved = await deps.store.checkpoints.get<AllstacksDeliveryCheckpoint>(runId, 'deliver');
        const previous =
          saved?.data.kind === 'allstacks' && saved.data.checksum === artifact.checksum ? saved.data : undefined;
        if (previous?.state === 'uploaded') {
          // Uploaded by an attempt whose worker stopped before recording it: record it, never upload again.
          await deps.store.runs.setDelivery(runId, { target: 'allstacks', location });
          await deps.store.runs.addEvent(runId, {
            at: new Date(),
            step: 'deliver',
            kind: 'resumed',
            detail: `attempt ${saved!.attempt} had already uploaded this file (Allstacks answered 200); not uploaded again`,
          });
          return { kind: 'uploaded', status: previous.status ?? 200 };
        }
        if (previous?.state === 'sending') {
          // Allstacks has no idempotency key: an upload cut off mid-request may or may not have landed.
          // Sending the same roster again ends in the same state, so it is sent again and said so.
          await deps.store.runs.addEvent(runId, {
            at: new Date(),
            step: 'deliver',
            kind: 'ambiguous-upload',
            detail: `attempt ${saved!.attempt} stopped while its upload was in flight; the same file is uploaded again`,
          });
        }

        const target = sync.target;
        const client = await createAllstacksHttpClient(target, deps.resolveSecret ?? createSecretResolver());
        const csv = artifactSource(deps, artifact);
        const checkpoint = (state: AllstacksDeliveryCheckpoint['state'], status?: number) =>
          deps.store.checkpoints.put<AllstacksDeliveryCheckpoint>(
            runId,
            'deliver',
            { kind: 'allstacks', checksum: artifact.checksum, state, ...(status === undefined ? {} : { status }) },
            { attempt: activityInfo().attempt, activityId: activityInfo().activityId },
          );
        await checkpoint('sending');
        const result = await withKeepAlive(
          () => ({ state: 'sending' }),
          () => uploadRoster(client, target, { csv, fileName: artifact.fileName, signal: cancellationSignal() }),
        ).catch(async (err: unknown) => {
          const status = err instanceof RosterflowError ? err.httpStatus : undefined;
          if (status !== undefined && status >= 400 && status < 500) await checkpoint('refused', status);
          throw err;
        });
        if (result.kind === 'rateLimited') await checkpoint('refused', 429);
        if (result.kind === 'uploaded') {
          await checkpoint('uploaded', result.status);
          await failpoint('deliver.after-allstacks-upload');
          await deps.store.runs.setDelivery(runId, { target: 'allstacks', location });
        }
        return result;
      });
    },
  };
}

/** What this target's workflow code (delivery.ts) proxies. */
export type AllstacksActivities = ReturnType<typeof createAllstacksActivities>;
