import type { Readable, Writable } from 'node:stream';
import { GridFSBucket, ObjectId } from 'mongodb';
import type { Db } from 'mongodb';
import { ArtifactPageStore } from './artifact-pages';

export interface ArtifactMetadata {
  runId: string;
  syncId: string;
  checksum?: string;
}

/**
 * Files kept for delivery, later diffs and audit. A run's rendered files are its artifact pages
 * (store/artifact-pages.ts, ids `pages:<file>:<runId>`); other files (a vendor's error report, the
 * files of runs rendered before the one-pass build) are in GridFS. Both read the same way.
 */
export class ArtifactStore {
  private readonly bucket: GridFSBucket;

  constructor(
    db: Db,
    private readonly pages: ArtifactPageStore,
  ) {
    this.bucket = new GridFSBucket(db, { bucketName: 'artifacts' });
  }

  /** Replaces any artifact of the same name a previous attempt of this run left behind. */
  async openWriter(filename: string, metadata: ArtifactMetadata): Promise<{ id: string; stream: Writable }> {
    await this.deleteByName(filename, metadata.runId);
    const stream = this.bucket.openUploadStream(filename, { metadata });
    return { id: stream.id.toHexString(), stream };
  }

  openReader(id: string, start = 0): Readable {
    const paged = ArtifactPageStore.parseArtifactId(id);
    if (paged) return this.pages.read(paged.runId, paged.file, start);
    return this.bucket.openDownloadStream(new ObjectId(id), start > 0 ? { start } : {});
  }

  /** The whole artifact in memory; for uploads that need the body at once (a multipart POST). */
  async read(id: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.openReader(id)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  private async deleteByName(filename: string, runId: string): Promise<void> {
    for await (const file of this.bucket.find({ filename, 'metadata.runId': runId })) {
      await this.bucket.delete(file._id);
    }
  }
}
