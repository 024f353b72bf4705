import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { RosterflowError } from '../../core/errors';
import { writeCsvFile } from './deliver';
import type { ActivityDeps } from '../../activities/deps';
import { withKeepAlive } from '../../activities/keep-alive';
import { loadRunSync } from '../../activities/load-run-sync';
import type { RenderResult } from '../../activities/build-checkpoint';
import { runStep } from '../../activities/step';

export interface DeliverInput {
  runId: string;
  artifacts: RenderResult['artifacts'];
}

export interface DeliverResult {
  target: string;
  location: string;
}

export function createCsvFileActivities(deps: ActivityDeps) {
  const activities = {
    /** Writes a file target's artifact into place (temporary name, then rename). */
    deliverCsvFile: async ({ runId, artifacts }: DeliverInput): Promise<DeliverResult> => {
      return runStep(deps, runId, 'deliver', async () => {
        const sync = await loadRunSync(deps, runId);
        const [artifact] = artifacts;
        const target = sync.target;
        if (target.type !== 'csv-file' || !artifact) {
          throw ApplicationFailure.nonRetryable(
            `deliverCsvFile cannot deliver a ${sync.target.type} target`,
            'InvalidInput',
          );
        }
        // The copy grows with the roster: it heartbeats while bytes move (the workflow's heartbeat timeout).
        let copied = 0;
        const sha256 = createHash('sha256');
        const reader = deps.store.artifacts.openReader(artifact.id);
        const counted = Readable.from(
          (async function* () {
            for await (const chunk of reader as AsyncIterable<Buffer>) {
              copied += chunk.length;
              sha256.update(chunk);
              yield chunk;
            }
          })(),
        );
        // The bytes read back are the bytes the build recorded, or nothing is put in place: a damaged
        // page, or a worker too old to read this build's pages, cannot replace the file silently.
        const verify = () => {
          if (`sha256:${sha256.digest('hex')}` === artifact.checksum && copied === artifact.bytes) return;
          throw new RosterflowError(
            'DeliveryFailed',
            `csv-file target: ${artifact.fileName} as read back from the store does not match the checksum the build recorded, so ${target.path} was left as it was`,
            { retryable: false },
          );
        };
        await withKeepAlive(
          () => ({ copied }),
          () => writeCsvFile(target, counted, runId, verify),
        );
        const delivered = { target: target.type, location: target.path };
        await deps.store.runs.setDelivery(runId, delivered);
        return delivered;
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
    deliverFile: activities.deliverCsvFile,
  };
}

/** What this target's workflow code (delivery.ts) proxies. */
export type CsvFileActivities = ReturnType<typeof createCsvFileActivities>;
