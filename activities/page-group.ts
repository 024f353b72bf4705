import type { RowRejection } from '../connectors/sdk/source';
import type { PersonRecord } from '../report/person';
import type { RenderedPart } from '../store/artifact-pages';
import type { PageUniques } from '../targets/sdk/page-renderer';

/**
 * Employees rendered together into one stored part: bounds a part's hashes (8 bytes per person and
 * unique column) well under the document limit whatever the source's page size; the part's bytes
 * are split by size on their own (store/artifact-pages.ts).
 */
export const RENDER_BATCH = 20_000;

/**
 * What the build gathers of one or more source pages before it stores them as one page and moves
 * its checkpoint past them: each file's rendered bytes (joined into parts of about RENDER_BATCH
 * employees, sealed once they reach it, with the unique-value hashes they committed), the employed
 * ids' hashes, and the counts and cursor the checkpoint takes on.
 */
export class PageGroup {
  readonly parts: RenderedPart[] = [];
  readonly employed: bigint[] = [];
  /** What became of each of the group's people, for the change report. */
  readonly people: PersonRecord[] = [];
  pulled = 0;
  rejected = 0;
  readonly rejections: RowRejection[] = [];
  cursor: string | undefined;

  /** Source rows taken in (records and rejections, as the source counts them): what decides when the group is stored. */
  get rows(): number {
    return this.pulled + this.rejected;
  }

  private pending: Buffer[][];
  private pendingEmployees = 0;

  constructor(
    private readonly files: number,
    /** The renderer's unique-value hashes committed since the last call (page-renderer.ts). */
    private readonly takeUniques: () => PageUniques,
  ) {
    this.pending = Array.from({ length: files }, () => []);
  }

  /** One render batch's bytes, per file, for `employees` employees. */
  addRendered(files: readonly Buffer[], employees: number): void {
    for (const [at, bytes] of files.entries()) if (bytes.length > 0) this.pending[at]!.push(bytes);
    this.pendingEmployees += employees;
    if (this.pendingEmployees >= RENDER_BATCH) this.seal();
  }

  /** The group's parts, the last one sealed; an empty group still has one (empty) part, as a page always did. */
  finish(): RenderedPart[] {
    if (this.pendingEmployees > 0 || this.parts.length === 0) this.seal();
    return this.parts;
  }

  private seal(): void {
    this.parts.push({ files: this.pending.map((chunks) => Buffer.concat(chunks)), uniques: this.takeUniques() });
    this.pending = Array.from({ length: this.files }, () => []);
    this.pendingEmployees = 0;
  }
}
