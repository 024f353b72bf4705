import { createTarget } from '../targets/registry';
import type { ActivityDeps } from './deps';
import { loadRunSync } from './load-run-sync';
import type { RenderResult } from './render';
import { runStep } from './step';

export interface DeliverInput {
  runId: string;
  artifact: Pick<RenderResult, 'artifactId' | 'checksum' | 'bytes'>;
}

export interface DeliverResult {
  target: string;
  location: string;
}

export function createDeliverActivities(deps: ActivityDeps) {
  return {
    /** Hands the run's artifact to the target the way that target wants it. */
    async deliverArtifact({ runId, artifact }: DeliverInput): Promise<DeliverResult> {
      return runStep(deps, runId, 'deliver', async () => {
        const sync = await loadRunSync(deps, runId);
        const target = createTarget(sync.target);
        await target.deliver(deps.store.artifacts.openReader(artifact.artifactId), runId);
        await deps.store.runs.setDelivery(runId, {
          target: sync.target.type,
          location: target.location,
          checksum: artifact.checksum,
          bytes: artifact.bytes,
        });
        return { target: sync.target.type, location: target.location };
      });
    },
  };
}
