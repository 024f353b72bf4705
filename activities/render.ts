import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { heartbeat } from '@temporalio/activity';
import { createTarget } from '../targets/registry';
import type { ActivityDeps } from './deps';
import { loadRunSync } from './load-run-sync';
import { runStep } from './step';

export interface RenderInput {
  runId: string;
}

export interface RenderResult {
  artifactId: string;
  checksum: string;
  bytes: number;
  rows: number;
  filteredOut: number;
}

export function createRenderActivities(deps: ActivityDeps) {
  return {
    /** Renders the staged employees into the target's CSV layout and stores it as the run's artifact. */
    async renderArtifact({ runId }: RenderInput): Promise<RenderResult> {
      return runStep(deps, runId, 'render', async () => {
        const sync = await loadRunSync(deps, runId);
        const target = createTarget(sync.target);
        const renderer = target.createRenderer();
        const writer = await deps.store.artifacts.openWriter(target.artifactName, { runId, syncId: sync.id });

        const hash = createHash('sha256');
        let bytes = 0;
        const measure = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            bytes += chunk.length;
            done(null, chunk);
          },
        });
        const written = pipeline(renderer.stream, measure, writer.stream);

        let rows = 0;
        let filteredOut = 0;
        for await (const page of deps.store.staging.readPages(runId)) {
          for (const employee of page) {
            const row = renderer.toRow(employee);
            if (row === undefined) {
              filteredOut += 1;
              continue;
            }
            rows += 1;
            // Respect backpressure so memory stays bounded by a page, not by the roster.
            if (!renderer.stream.write(row)) await new Promise((resume) => renderer.stream.once('drain', resume));
          }
          heartbeat({ rows });
        }
        renderer.stream.end();
        await written;

        const checksum = `sha256:${hash.digest('hex')}`;
        await deps.store.runs.setCounts(runId, { rendered: rows, filteredOut });
        await deps.store.runs.setArtifact(runId, { id: writer.id, checksum, bytes, rows });
        return { artifactId: writer.id, checksum, bytes, rows, filteredOut };
      });
    },
  };
}
