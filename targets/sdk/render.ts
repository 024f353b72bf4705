import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { RowRejection } from '../../connectors/sdk/source';
import type { Employee } from '../../core/employee';
import type { ArtifactLayout } from './layout';
import { createPageRenderer } from './page-renderer';

export interface RenderedFile {
  fileName: string;
  /** Where the bytes went (the artifact id in the store). */
  id: string;
  checksum: string;
  bytes: number;
  rows: number;
}

export interface RenderOutcome {
  files: RenderedFile[];
  /** Employees written to the files. */
  rendered: number;
  /** Employees no file wanted (for example leavers a target leaves out). */
  filteredOut: number;
  /** Employees refused by a row check; none of their rows is in any file. */
  rejected: number;
  /** The first rejections, by employee and column, never by value. */
  rejections: RowRejection[];
}

export type OpenOutput = (fileName: string) => Promise<{ id: string; stream: Writable }>;

/**
 * Streams employees through a target's layouts straight into one output per file, in one pass.
 * (The render activity keeps per-page segments instead, so that it can resume; both give the same
 * bytes.) Memory stays bounded by a page plus the unique-value sets.
 */
export async function renderArtifacts(
  layouts: readonly ArtifactLayout[],
  pages: AsyncIterable<readonly Employee[]>,
  openOutput: OpenOutput,
  onPage?: (progress: { rendered: number }) => void,
): Promise<RenderOutcome> {
  const renderer = createPageRenderer(layouts);
  const outputs = await Promise.all(layouts.map((layout) => openMeasuredOutput(layout.fileName, openOutput)));
  const writeAll = async (chunks: Buffer[]) => {
    for (const [at, chunk] of chunks.entries()) await outputs[at]!.write(chunk);
  };

  await writeAll(renderer.header());
  for await (const page of pages) {
    await writeAll(renderer.page(page).files);
    onPage?.({ rendered: renderer.tally.rendered });
  }
  await writeAll(renderer.closing());

  const { rendered, filteredOut, rejected, rejections, rowsPerFile } = renderer.tally;
  const files: RenderedFile[] = [];
  for (const [at, output] of outputs.entries()) files.push({ ...(await output.end()), rows: rowsPerFile[at]! });
  return { files, rendered, filteredOut, rejected, rejections };
}

/** An output that counts and hashes what goes through it, respecting backpressure. */
export async function openMeasuredOutput(fileName: string, openOutput: OpenOutput) {
  const { id, stream } = await openOutput(fileName);
  const hash = createHash('sha256');
  let bytes = 0;
  let failed: Error | undefined;
  stream.on('error', (err: Error) => (failed ??= err));
  return {
    async write(chunk: Buffer): Promise<void> {
      if (failed) throw failed;
      if (chunk.length === 0) return;
      hash.update(chunk);
      bytes += chunk.length;
      // events.once rejects if the stream fails while we wait, and removes its listeners either way.
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
    async end(): Promise<Omit<RenderedFile, 'rows'>> {
      if (failed) throw failed;
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.end(() => resolve());
      });
      return { fileName, id, checksum: `sha256:${hash.digest('hex')}`, bytes };
    },
  };
}
