import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';

/** A file part of a multipart request, written to disk as it arrived. */
export interface ReceivedFile {
  /** The form field's name, e.g. `file`. */
  field: string;
  fileName: string;
  mimeType: string;
  /** Where its bytes are, until the fake closes. */
  path: string;
  bytes: number;
  sha256: string;
}

/** A multipart/form-data body as received: text fields in order, file parts on disk. */
export interface ReceivedMultipart {
  fields: [name: string, value: string][];
  files: ReceivedFile[];
}

/**
 * Parses a multipart/form-data request as it streams in (busboy): fields are kept, each file part is
 * written to `directory` and hashed on the way, so no file is ever held in memory.
 */
export function spoolMultipart(
  req: IncomingMessage,
  directory: string,
  onBytes: (bytes: number) => void = () => {},
): Promise<ReceivedMultipart> {
  return new Promise((resolve, reject) => {
    const received: ReceivedMultipart = { fields: [], files: [] };
    const writes: Promise<void>[] = [];
    const parser = busboy({ headers: req.headers, defParamCharset: 'utf8' });
    parser.on('field', (name, value) => received.fields.push([name, value]));
    parser.on('file', (field, stream, info) => {
      const file: ReceivedFile = {
        field,
        fileName: info.filename ?? '',
        mimeType: info.mimeType,
        path: join(directory, randomUUID()),
        bytes: 0,
        sha256: '',
      };
      received.files.push(file);
      const hash = createHash('sha256');
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          file.bytes += chunk.length;
          done(null, chunk);
        },
      });
      writes.push(
        pipeline(stream, count, createWriteStream(file.path)).then(() => {
          file.sha256 = hash.digest('hex');
        }),
      );
    });
    parser.on('error', reject);
    parser.on('close', () => {
      Promise.all(writes).then(() => resolve(received), reject);
    });
    req.on('error', reject);
    // Counted as the bytes arrive; attached with the pipe, so nothing flows before the parser is there.
    req.on('data', (chunk: Buffer) => onBytes(chunk.length));
    req.pipe(parser);
  });
}

/** The parts' headers (never a file's bytes): what a test looks for in a multipart request's body. */
export function describeMultipart(received: ReceivedMultipart): string {
  const fields = received.fields.map(
    ([name, value]) => `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`,
  );
  const files = received.files.map(
    (file) =>
      `Content-Disposition: form-data; name="${file.field}"; filename="${file.fileName}"\r\n` +
      `Content-Type: ${file.mimeType}\r\n\r\n[${file.bytes} bytes, sha256 ${file.sha256}]`,
  );
  return [...fields, ...files].join('\r\n');
}
