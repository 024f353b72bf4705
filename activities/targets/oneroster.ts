import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createSecretResolver } from '../../connectors/sdk/secrets';
import {
  assertValidOneRosterPackage,
  oneRosterLocation,
  uploadOneRosterPackage,
} from '../../targets/oneroster/deliver';
import type { UploadCheckpoint } from '../../targets/oneroster/upload';
import type { ActivityDeps } from '../deps';
import { loadRunSync } from '../load-run-sync';
import type { RenderResult } from '../render';
import { runStep } from '../step';

export interface OneRosterUploadInput {
  runId: string;
  artifacts: RenderResult['artifacts'];
}

export function createOneRosterActivities(deps: ActivityDeps) {
  return {
    /**
     * Checks the package (header order, enumerations, references) and uploads it over SFTP to
     * temporary names, renaming into place only once every file is complete. Heartbeats a
     * checkpoint (file, byte offset); a retry, on any worker, continues from it.
     */
    async uploadOneRoster({
      runId,
      artifacts,
    }: OneRosterUploadInput): Promise<{ location: string; bytesSent: number }> {
      return runStep(deps, runId, 'deliver', async () => {
        const sync = await loadRunSync(deps, runId);
        if (sync.target.type !== 'oneroster-sftp') {
          throw ApplicationFailure.nonRetryable(
            `uploadOneRoster cannot deliver a ${sync.target.type} target`,
            'InvalidInput',
          );
        }
        const config = sync.target;
        const texts: Record<string, string> = {};
        for (const artifact of artifacts)
          texts[artifact.fileName] = (await deps.store.artifacts.read(artifact.id)).toString('utf8');
        assertValidOneRosterPackage(config, texts);

        const checkpoint = activityInfo().heartbeatDetails as UploadCheckpoint | undefined;
        const result = await uploadOneRosterPackage({
          config,
          resolveSecret: deps.resolveSecret ?? createSecretResolver(),
          runId,
          files: artifacts.map((artifact) => ({
            name: artifact.fileName,
            size: artifact.bytes,
            open: (offset: number) => deps.store.artifacts.openReader(artifact.id, offset),
          })),
          ...(checkpoint ? { checkpoint } : {}),
          onProgress: (progress) => heartbeat(progress),
          signal: cancellationSignal(),
        });
        const location = oneRosterLocation(config);
        await deps.store.runs.setDelivery(runId, { target: 'oneroster-sftp', location });
        if (checkpoint) {
          await deps.store.runs.addEvent(runId, {
            at: new Date(),
            step: 'deliver',
            kind: 'resumed',
            detail: `upload resumed at file ${checkpoint.fileIndex + 1}, byte ${checkpoint.byteOffset}; ${result.bytesSent} bytes sent`,
          });
        }
        return { location, bytesSent: result.bytesSent };
      });
    },
  };
}
