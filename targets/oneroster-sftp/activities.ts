import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createSecretResolver } from '../../io/secrets';
import { assertValidOneRosterStreams, oneRosterLocation, uploadOneRosterPackage } from './deliver';
import type { UploadCheckpoint } from './upload';
import type { ActivityDeps } from '../../activities/deps';
import { failpoint } from '../../activities/failpoints';
import { withKeepAlive } from '../../activities/keep-alive';
import { loadRunSync } from '../../activities/load-run-sync';
import type { RenderResult } from '../../activities/build-checkpoint';
import { runStep } from '../../activities/step';
import { createThrottledCheckpoint } from '../../activities/throttled-checkpoint';

export interface OneRosterUploadInput {
  runId: string;
  artifacts: RenderResult['artifacts'];
}

/** Kept in MongoDB: how far the upload got, and whether the files are already renamed into place. */
interface SftpDeliveryCheckpoint {
  kind: 'sftp';
  /** The package the checkpoint belongs to (its files' checksums). */
  package: string;
  progress: UploadCheckpoint;
  done?: { bytesSent: number };
}

export function createOneRosterActivities(deps: ActivityDeps) {
  const { checkpoints, runs } = deps.store;

  const activities = {
    /**
     * Checks the package (header order, enumerations, references) and uploads it over SFTP to
     * temporary names, renaming into place only once every file is complete. Its progress (file,
     * byte offset) is heartbeated and kept in MongoDB; a retry, on any worker, continues from it, and
     * a package already renamed into place is not sent again.
     */
    uploadOneRosterSftp: async ({
      runId,
      artifacts,
    }: OneRosterUploadInput): Promise<{ location: string; bytesSent: number }> => {
      return runStep(deps, runId, 'deliver', async () => {
        const { attempt, activityId } = activityInfo();
        const writer = { attempt, activityId };
        const sync = await loadRunSync(deps, runId);
        if (sync.target.type !== 'oneroster-sftp') {
          throw ApplicationFailure.nonRetryable(
            `uploadOneRosterSftp cannot deliver a ${sync.target.type} target`,
            'InvalidInput',
          );
        }
        const config = sync.target;
        const location = oneRosterLocation(config);
        const packageId = artifacts.map((artifact) => artifact.checksum).join(',');
        const saved = await checkpoints.get<SftpDeliveryCheckpoint>(runId, 'deliver');
        const previous = saved?.data.kind === 'sftp' && saved.data.package === packageId ? saved.data : undefined;

        if (previous?.done) {
          await runs.setDelivery(runId, { target: 'oneroster-sftp', location });
          await runs.addEvent(runId, {
            at: new Date(),
            step: 'deliver',
            kind: 'resumed',
            detail: `attempt ${saved!.attempt} had already renamed every file into place; nothing was sent again`,
          });
          return { location, bytesSent: 0 };
        }

        // Streamed, never read whole: a million users' files as strings took the worker past 2 GB.
        // The bytes read are the progress, so a long check keeps heartbeating.
        let bytesChecked = 0;
        await withKeepAlive(
          () => ({ checking: true, bytesChecked }),
          () =>
            assertValidOneRosterStreams(
              config,
              artifacts.map((artifact) => ({
                name: artifact.fileName,
                open: () => deps.store.artifacts.openReader(artifact.id, 0),
              })),
              (bytes) => (bytesChecked += bytes),
            ),
        );

        const checkpoint = furthest(previous?.progress, uploadProgressIn(activityInfo().heartbeatDetails));
        let progress: UploadCheckpoint = checkpoint ?? { fileIndex: 0, byteOffset: 0 };
        const persisted = createThrottledCheckpoint((data: UploadCheckpoint) =>
          checkpoints.put<SftpDeliveryCheckpoint>(
            runId,
            'deliver',
            { kind: 'sftp', package: packageId, progress: data },
            writer,
          ),
        );
        const result = await withKeepAlive(
          () => progress,
          () =>
            uploadOneRosterPackage({
              config,
              resolveSecret: deps.resolveSecret ?? createSecretResolver(),
              runId,
              files: artifacts.map((artifact) => ({
                name: artifact.fileName,
                size: artifact.bytes,
                open: (offset: number) => deps.store.artifacts.openReader(artifact.id, offset),
              })),
              ...(checkpoint ? { checkpoint } : {}),
              onProgress: (reached) => {
                progress = reached;
                persisted.update(reached);
                heartbeat(reached);
              },
              signal: cancellationSignal(),
            }),
        ).finally(() => persisted.close());
        await checkpoints.put<SftpDeliveryCheckpoint>(
          runId,
          'deliver',
          { kind: 'sftp', package: packageId, progress, done: { bytesSent: result.bytesSent } },
          writer,
        );
        await failpoint('deliver.after-upload');

        await runs.setDelivery(runId, { target: 'oneroster-sftp', location });
        if (checkpoint) {
          await runs.addEvent(runId, {
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
  return {
    ...activities,
    /**
     * Alias, to drop in the release after this one (docs/upgrading.md, "Activities named by their
     * target"): the activity's name before it carried its target's. Runs that scheduled it under this
     * name before the upgrade (delivery.ts without `patched('target-named-activities')`) retry it
     * under this name, so the worker answers to both until no such run can still be open.
     */
    uploadOneRoster: activities.uploadOneRosterSftp,
  };
}

/** The last attempt's heartbeat, when it is upload progress (not the keep-alive of its package check). */
function uploadProgressIn(details: unknown): UploadCheckpoint | undefined {
  const { fileIndex, byteOffset } = (details ?? {}) as Partial<UploadCheckpoint>;
  return typeof fileIndex === 'number' && typeof byteOffset === 'number' ? { fileIndex, byteOffset } : undefined;
}

/** The checkpoint further along: MongoDB's is at most a second behind, the heartbeat's may be older still. */
function furthest(...found: (UploadCheckpoint | undefined)[]): UploadCheckpoint | undefined {
  return found
    .filter((checkpoint): checkpoint is UploadCheckpoint => checkpoint !== undefined)
    .sort((a, b) => b.fileIndex - a.fileIndex || b.byteOffset - a.byteOffset)[0];
}

/** What this target's workflow code (delivery.ts) proxies. */
export type OneRosterActivities = ReturnType<typeof createOneRosterActivities>;
