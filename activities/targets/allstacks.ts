import { cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createSecretResolver } from '../../connectors/sdk/secrets';
import { targetDefinition } from '../../targets';
import { createAllstacksHttpClient, uploadRoster } from '../../targets/allstacks/client';
import type { AllstacksUploadResult } from '../../targets/allstacks/client';
import type { ActivityDeps } from '../deps';
import { loadRunSync } from '../load-run-sync';
import type { RenderResult } from '../render';
import { runStep } from '../step';

export interface AllstacksUploadInput {
  runId: string;
  artifacts: RenderResult['artifacts'];
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
        const client = await createAllstacksHttpClient(sync.target, deps.resolveSecret ?? createSecretResolver());
        const csv = await deps.store.artifacts.read(artifact.id);
        const result = await uploadRoster(client, sync.target, {
          csv,
          fileName: artifact.fileName,
          signal: cancellationSignal(),
        });
        if (result.kind === 'uploaded') {
          await deps.store.runs.setDelivery(runId, {
            target: 'allstacks',
            location: targetDefinition('allstacks').location(sync.target),
          });
        }
        return result;
      });
    },
  };
}
