import type { Readable, Writable } from 'node:stream';
import { GridFSBucket, ObjectId } from 'mongodb';
import type { Db } from 'mongodb';

export interface ArtifactMetadata {
  runId: string;
  syncId: string;
  checksum?: string;
}

/** Rendered files kept in GridFS for delivery, later diffs and audit. */
export class ArtifactStore {
  private readonly bucket: GridFSBucket;

  constructor(db: Db) {
    this.bucket = new GridFSBucket(db, { bucketName: 'artifacts' });
  }

  /** Replaces any artifact of the same name a previous attempt of this run left behind. */
  async openWriter(filename: string, metadata: ArtifactMetadata): Promise<{ id: string; stream: Writable }> {
    await this.deleteByName(filename, metadata.runId);
    const stream = this.bucket.openUploadStream(filename, { metadata });
    return { id: stream.id.toHexString(), stream };
  }

  openReader(id: string, start = 0): Readable {
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
