import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { SyncConfig } from '../config/schema';
import { createSource, defaultSourceDeps } from '../connectors';
import type { SourceConnector } from '../connectors/sdk/source';
import type { Employee } from '../core/employee';
import { Hash64Set, hash64 } from '../core/hash64';
import { encodeIndex, encodePeople, reportColumns } from '../report/person';
import { ArtifactPageStore } from '../store/artifact-pages';
import type { CheckpointWriter } from '../store/checkpoints';
import type { ArtifactRecord } from '../store/run-record';
import { MAX_RECORDED_REJECTIONS } from '../store/runs';
import { targetDefinition } from '../targets';
import { createPageRenderer } from '../targets/sdk/page-renderer';
import { BuildCheckpointSchema } from './build-checkpoint';
import type { BuildCheckpoint, BuildResult } from './build-checkpoint';
import type { ActivityDeps } from './deps';
import { failpoint } from './failpoints';
import { withKeepAlive } from './keep-alive';
import { loadRunSync } from './load-run-sync';
import { PageGroup, RENDER_BATCH } from './page-group';
import { runStep } from './step';

export type { BuildResult, RenderResult } from './build-checkpoint';

export interface BuildInput {
  runId: string;
}

/** Employed, for the plan's baseline: everyone but leavers (`pending` and `leave` people still work here). */
const isEmployed = (employee: Employee): boolean => employee.status !== 'inactive';

export function createBuildActivities(deps: ActivityDeps) {
  const { checkpoints, artifactPages, runs, snapshots } = deps.store;

  return {
    /**
     * The build step, in one streaming pass: source pages -> canonical employees -> the target's files,
     * each page's bytes (with the hashes of its unique values) kept as the run's artifact pages, the
     * hashes of its employed ids as the run's planned snapshot, and the checkpoint (source cursor,
     * counts, render state) written after every page.
     * A retried attempt, on any worker, keeps the pages before the checkpoint, takes back the render's
     * state from them without reading those employees again, and asks the source only for the rest:
     * the files are byte for byte those of an uninterrupted build.
     */
    async buildArtifacts({ runId }: BuildInput): Promise<BuildResult> {
      return runStep(deps, runId, 'build', async () => {
        const { attempt, activityId } = activityInfo();
        const writer: CheckpointWriter = { attempt, activityId };
        const saved = await checkpoints.get<unknown>(runId, 'build');
        const resumed = saved ? { ...saved, data: BuildCheckpointSchema.parse(saved.data) } : undefined;
        if (resumed?.data.result) return resumed.data.result;

        const sync = await loadRunSync(deps, runId);
        const layouts = targetDefinition(sync.target.type).layouts(sync.target);
        const renderer = createPageRenderer(layouts, { people: true });
        const checkpoint: BuildCheckpoint = resumed?.data ?? {
          nextPage: 0,
          cursor: null,
          pulled: 0,
          rejected: 0,
          employed: 0,
          rejections: [],
          renderer: renderer.checkpoint(),
        };
        const files = layouts.map(() => ({ hash: createHash('sha256'), bytes: 0 }));
        const take = (chunks: readonly Buffer[]) => chunks.forEach((chunk, at) => measure(files[at]!, chunk));
        const source = createSource(sync.source, deps.sourceDeps ?? defaultSourceDeps());
        // Sources yield each id once, but not every source checks: a repeat is kept out of the planned
        // snapshot, whose size commitSnapshot checks against the plan's count.
        const employedSeen = source.uniqueIds ? undefined : new Hash64Set();
        let keptParts = 0;
        const resumedFrom = { ...checkpoint };

        // Taking back a resumed build reads what it kept, which grows with the roster: it heartbeats too.
        await withKeepAlive(
          () => ({ page: checkpoint.nextPage, pulled: checkpoint.pulled, keptParts, ...readOfTotal(checkpoint) }),
          async () => {
            // Claims the step: an earlier attempt still running somewhere can no longer checkpoint.
            await checkpoints.put(runId, 'build', checkpoint, writer);
            await artifactPages.discardFrom(runId, checkpoint.nextPage, attempt);
            await snapshots.discardPagesFrom(runId, checkpoint.nextPage, attempt);
            const header = renderer.header();
            take(header);
            // Always (re)written: idempotent, and deterministic from the layouts.
            await artifactPages.putHeader(runId, header, attempt, {
              columns: reportColumns(layouts),
              unique: source.uniqueIds === true,
            });
            if (resumed) {
              // The render's state from the checkpoint and the kept pages; their bytes feed the checksums.
              const kept: BigUint64Array[][][] = [];
              for await (const part of artifactPages.kept(runId, checkpoint.nextPage, layouts.length)) {
                take(part.files);
                kept.push(part.uniques);
                keptParts += 1;
              }
              renderer.restore(checkpoint.renderer, kept);
              if (employedSeen)
                for await (const hashes of snapshots.hashesOf(runId)) for (const hash of hashes) employedSeen.add(hash);
            }
            await buildPages(runId, sync, source, checkpoint, writer, renderer, take, employedSeen, layouts.length);
          },
        );
        // Still this step's owner before writing the closing rows (an attempt given up on must not).
        cancellationSignal().throwIfAborted();
        // Pages past this attempt's last one can only be a superseded attempt's, landed late (a source
        // that shrank between attempts): they are no part of the files. (A first attempt had none.)
        if (attempt > 1) {
          // Fenced: fails if a later attempt has claimed the step, so this one deletes nothing of its.
          await checkpoints.put(runId, 'build', checkpoint, writer);
          await artifactPages.discardFrom(runId, checkpoint.nextPage, attempt);
          await snapshots.discardPagesFrom(runId, checkpoint.nextPage, attempt);
        }
        const closing = renderer.closing();
        take(closing);
        await artifactPages.putClosing(runId, closing, attempt);

        const { tally } = renderer;
        const artifacts: ArtifactRecord[] = layouts.map((layout, at) => ({
          fileName: layout.fileName,
          id: ArtifactPageStore.artifactId(runId, at),
          checksum: `sha256:${files[at]!.hash.digest('hex')}`,
          bytes: files[at]!.bytes,
          rows: tally.rowsPerFile[at]!,
        }));
        const result: BuildResult = {
          extract: { pulled: checkpoint.pulled, rejected: checkpoint.rejected, pages: checkpoint.nextPage },
          render: { artifacts, rendered: tally.rendered, rejected: tally.rejected, filteredOut: tally.filteredOut },
        };
        await runs.setCounts(runId, {
          pulled: checkpoint.pulled,
          rejected: checkpoint.rejected,
          rendered: tally.rendered,
          filteredOut: tally.filteredOut,
          renderRejected: tally.rejected,
          ...(checkpoint.employed === undefined ? {} : { employed: checkpoint.employed }),
        });
        await runs.setArtifacts(runId, artifacts);
        const rejections = [...checkpoint.rejections, ...tally.rejections].slice(0, MAX_RECORDED_REJECTIONS);
        if (rejections.length > 0) await runs.setRejections(runId, rejections);
        if (resumed) {
          await runs.addEvent(runId, {
            at: new Date(),
            step: 'build',
            kind: 'resumed',
            detail: `attempt ${attempt} continued from the checkpoint of attempt ${resumed.attempt}: ${resumedFrom.nextPage} pages (${resumedFrom.pulled} employees, ${keptParts} stored parts) already built are not read again`,
          });
        }
        // Still this step's owner before recording the result (an attempt given up on must not).
        cancellationSignal().throwIfAborted();
        await checkpoints.put(runId, 'build', { ...checkpoint, result }, writer);
        return result;
      });
    },
  };

  /**
   * Reads the source from the checkpoint's cursor; renders each page as it comes, stores what it
   * rendered as one page (a source page, or for a file source as many small pages as make up its
   * `checkpointRows`), then moves the checkpoint (in place) past it. For a source that reads ahead for
   * free (a file), the store writes of one stored page overlap the reading and rendering of the next
   * (the store is another process, on another core); the checkpoint always follows its page's parts.
   */
  async function buildPages(
    runId: string,
    sync: SyncConfig,
    source: SourceConnector,
    checkpoint: BuildCheckpoint,
    writer: CheckpointWriter,
    renderer: ReturnType<typeof createPageRenderer>,
    take: (chunks: readonly Buffer[]) => void,
    employedSeen: Hash64Set | undefined,
    files: number,
  ): Promise<void> {
    // A checkpoint saved before the first page stores its absent cursor as null: that is "from the start".
    const resumeFrom = checkpoint.cursor ?? undefined;
    // An API source's every page is stored before the next is asked for: no page is ever asked twice.
    const groupRows = source.readAhead ? (source.checkpointRows ?? 0) : 0;
    const newGroup = () => new PageGroup(files, () => renderer.takeUniques());
    let group = newGroup();
    let inFlight: Promise<void> = Promise.resolve();

    /** Stores the group as the next page, then checkpoints past it; waits for the one before first. */
    const store = async (stored: PageGroup): Promise<void> => {
      const parts = stored.finish();
      const people = { index: encodeIndex(stored.people), records: encodePeople(stored.people) };
      await inFlight;
      const pageNumber = checkpoint.nextPage;
      checkpoint.nextPage += 1;
      checkpoint.cursor = stored.cursor ?? checkpoint.cursor;
      checkpoint.pulled += stored.pulled;
      checkpoint.rejected += stored.rejected;
      // Unknown for good when resumed from an older version's checkpoint (the plan then reads them).
      if (checkpoint.employed !== undefined) checkpoint.employed += stored.employed.length;
      checkpoint.rejections.push(
        ...stored.rejections.slice(0, Math.max(0, MAX_RECORDED_REJECTIONS - checkpoint.rejections.length)),
      );
      checkpoint.renderer = renderer.checkpoint();
      const saved = structuredClone(checkpoint);
      inFlight = (async () => {
        // An attempt Temporal gave up on writes no more pages (its checkpoint write would fail too, later).
        cancellationSignal().throwIfAborted();
        // The page's two writes at once (the store overlaps them); the checkpoint only after both.
        // Both settle before a failure is thrown: the attempt reports only once none of its writes
        // can still land (a retry's discard would not see a write landing after it).
        const written = await Promise.allSettled([
          artifactPages.putPage(runId, pageNumber, parts, writer.attempt, people),
          snapshots.putPage(sync.id, runId, pageNumber, stored.employed, writer.attempt),
        ]);
        for (const write of written) if (write.status === 'rejected') throw write.reason;
        await checkpoints.put(runId, 'build', saved, writer);
        heartbeat({ page: saved.nextPage, pulled: saved.pulled, ...readOfTotal(saved) });
        await failpoint('build.after-page');
      })();
      // A failed write surfaces at the next page's await; never as an unhandled rejection meanwhile.
      inFlight.catch(() => undefined);
      if (!source.readAhead) await inFlight;
    };

    try {
      for await (const page of source.listEmployees({ signal: cancellationSignal() }, resumeFrom)) {
        // Given up on by Temporal (heartbeats answered with a cancellation): stop before writing more.
        cancellationSignal().throwIfAborted();
        if (page.total !== undefined) checkpoint.total = page.total;
        for (let start = 0; start < page.records.length; start += RENDER_BATCH) {
          const batch = page.records.slice(start, start + RENDER_BATCH);
          const { files, rejectedIds, people } = renderer.page(batch);
          take(files);
          for (const person of people) group.people.push(person);
          // Someone the target's checks refused is in none of its files: gone, for the target.
          const refused = new Set(rejectedIds);
          for (const employee of batch) {
            if (!isEmployed(employee) || refused.has(employee.sourceId)) continue;
            const hash = hash64(employee.sourceId);
            if (!employedSeen || employedSeen.add(hash)) group.employed.push(hash);
          }
          group.addRendered(files, batch.length);
        }
        group.cursor = page.cursor;
        group.pulled += page.records.length;
        group.rejected += page.rejected.length;
        group.rejections.push(
          ...page.rejected.slice(0, Math.max(0, MAX_RECORDED_REJECTIONS - group.rejections.length)),
        );
        if (group.rows >= groupRows) {
          await store(group);
          group = newGroup();
        }
      }
      // The rest of a gathering source's last pages.
      if (group.cursor !== undefined) await store(group);
    } finally {
      // Whatever ended the loop, the last page's writes are settled before the attempt reports.
      await inFlight.catch(() => undefined);
    }
    await inFlight;
  }
}

function measure(file: { hash: Hash; bytes: number }, chunk: Buffer): void {
  file.hash.update(chunk);
  file.bytes += chunk.length;
}

/** Records read so far of the listing's total, when the source gave one: for `rosterflow run`'s progress. */
function readOfTotal(checkpoint: BuildCheckpoint): { read?: number; total?: number } {
  return checkpoint.total === undefined
    ? {}
    : { read: checkpoint.pulled + checkpoint.rejected, total: checkpoint.total };
}
