import { Readable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { deliverCsvFile } from '../targets/csv-file/deliver';
import { targetDefinition } from '../targets';
import type { ActivityDeps } from './deps';
import { withKeepAlive } from './keep-alive';
import { loadRunSync } from './load-run-sync';
import type { RenderResult } from './build-checkpoint';
import { runStep } from './step';

export interface DeliverInput {
  runId: string;
  artifacts: RenderResult['artifacts'];
}

export interface DeliverResult {
  target: string;
  location: string;
}

export function createDeliverActivities(deps: ActivityDeps) {
  return {
    /** Writes a file target's artifact into place (temporary name, then rename). */
    async deliverFile({ runId, artifacts }: DeliverInput): Promise<DeliverResult> {
      return runStep(deps, runId, 'deliver', async () => {
        const sync = await loadRunSync(deps, runId);
        const [artifact] = artifacts;
        const target = sync.target;
        if (target.type !== 'csv-file' || !artifact) {
          throw ApplicationFailure.nonRetryable(
            `deliverFile cannot deliver a ${sync.target.type} target`,
            'InvalidInput',
          );
        }
        // The copy grows with the roster: it heartbeats while bytes move (the workflow's heartbeat timeout).
        let copied = 0;
        const reader = deps.store.artifacts.openReader(artifact.id);
        const counted = Readable.from(
          (async function* () {
            for await (const chunk of reader as AsyncIterable<Buffer>) {
              copied += chunk.length;
              yield chunk;
            }
          })(),
        );
        await withKeepAlive(
          () => ({ copied }),
          () => deliverCsvFile(target, counted, runId),
        );
        const delivered = {
          target: sync.target.type,
          location: targetDefinition(sync.target.type).location(sync.target),
        };
        await deps.store.runs.setDelivery(runId, delivered);
        return delivered;
      });
    },
  };
}
