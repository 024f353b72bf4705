import { targetStepActivity } from '../names';
import type { ScaffoldNames } from '../names';

/** targets/<name>/activities.ts: the step activity the shared driver calls until it answers `delivered`. */
export function targetActivitiesTemplate(n: ScaffoldNames): string {
  const step = targetStepActivity(n);
  return `import { cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../../activities/deps';
import { withKeepAlive } from '../../activities/keep-alive';
import { loadRunSync } from '../../activities/load-run-sync';
import { runStep } from '../../activities/step';
import { createSecretResolver } from '../../io/secrets';
import { artifactSource } from '../sdk/artifact-source';
import type { DeliveryStepInput, DeliveryStepResult } from '../sdk/delivery-step';
import { ${n.constant}_VENDOR, create${n.pascal}HttpClient, ${n.camel}Location, uploadUsers } from './client';
import { ${n.pascal}TargetConfigSchema } from './config';

/** How long to wait after a 429 that names no wait. TODO: the vendor's documented rate limit. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

export function create${n.pascal}Activities(deps: ActivityDeps) {
  return {
    /**
     * The delivery step (targets/sdk/delivery-step.ts): one upload of the rendered file. A 429 comes
     * back as \`wait\`, so the workflow sleeps on a durable timer and calls again, instead of this
     * activity sleeping.
     */
    async ${step}({ runId, artifacts }: DeliveryStepInput): Promise<DeliveryStepResult> {
      return runStep(deps, runId, 'deliver', async () => {
        const parsed = ${n.pascal}TargetConfigSchema.safeParse((await loadRunSync(deps, runId)).target);
        const [artifact] = artifacts;
        if (!parsed.success || !artifact) {
          throw ApplicationFailure.nonRetryable(\`${step} cannot deliver this run's target\`, 'InvalidInput');
        }
        const target = parsed.data;
        const client = await create${n.pascal}HttpClient(target, deps.resolveSecret ?? createSecretResolver());
        const result = await withKeepAlive(
          () => ({ uploading: artifact.fileName }),
          () =>
            uploadUsers(client, {
              csv: artifactSource(deps, artifact),
              fileName: artifact.fileName,
              // One key per run and file: a retry after a lost answer (a killed worker, a cut
              // connection) is recognised by the vendor instead of applied a second time.
              idempotencyKey: \`\${runId}:\${artifact.checksum}\`,
              signal: cancellationSignal(),
            }),
        );
        if (result.kind === 'rateLimited') {
          const ms = result.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS;
          const reason = \`\${${n.constant}_VENDOR} answered HTTP 429; waiting \${Math.ceil(ms / 1000)}s on a durable timer\`;
          // In the run record, so \`rosterflow run\` can say why nothing happens while the workflow sleeps.
          await deps.store.runs.addEvent(runId, {
            at: new Date(),
            step: 'deliver',
            kind: 'rate-limited',
            detail: reason,
            until: new Date(Date.now() + ms),
          });
          return { kind: 'wait', ms, reason };
        }
        const outcome = { target: target.type, location: ${n.camel}Location(target) };
        await deps.store.runs.setDelivery(runId, outcome);
        return { kind: 'delivered', outcome };
      });
    },
  };
}
`;
}
