import { once } from 'node:events';
import type { ReadStream } from 'ssh2';
import { RosterflowError } from '../../../core/errors';
import type { SecretResolver } from '../../../io/secrets';
import { SFTP_NO_SUCH_FILE, SFTP_PERMISSION_DENIED, SftpUnavailableError } from '../../../io/sftp/failures';
import { openSftpSession } from '../../../io/sftp/session';
import { resolveSftpSettings } from '../../../io/sftp/settings';
import type { CsvDropSftpConfig } from '../config';
import { TransientOpenError } from './reader';
import type { FileReader, OpenedFile } from './reader';

const ignore = () => undefined;

/**
 * A drop on an SFTP server, read through ssh2-sftp-client. Each `open` is one SSH session (see
 * `openSftpSession`), then the remote file opened as a stream that issues READ requests as the
 * parser consumes it. The session ends when the file is closed.
 */
export function createSftpReader(path: string, sftp: CsvDropSftpConfig, resolveSecret: SecretResolver): FileReader {
  const describe = `${path} on sftp://${sftp.username}@${sftp.host}:${sftp.port}`;

  return {
    describe,
    async open(signal) {
      // Resolved per attempt, so a rotated password or key is picked up by the next listing.
      const settings = await resolveSftpSettings(sftp, resolveSecret, 'source');
      const session = await openSftpSession(settings, { side: 'source', prefix: 'csv source', signal }).catch(
        retrySoon,
      );
      let stream: ReadStream;
      try {
        stream = session.client.createReadStream(path);
        // Late errors (a CLOSE answered after the session ended) must not crash the process; the
        // ones that matter reach the parser through the pipeline.
        stream.on('error', ignore);
        await once(stream, 'open', signal ? { signal } : {});
      } catch (err) {
        await session.end();
        throw signal?.aborted ? signal.reason : openFailure(err, path, describe, sftp.username);
      }
      return {
        stream,
        async close() {
          stream.destroy();
          await session.end();
        },
      } satisfies OpenedFile;
    },
  };
}

/** A refused or dropped connection is retried a few times by `openWithRetries`, which words the final error. */
function retrySoon(err: unknown): never {
  if (err instanceof SftpUnavailableError) throw new TransientOpenError(err.problem, { cause: err.cause });
  throw err;
}

function openFailure(err: unknown, path: string, describe: string, username: string): Error {
  const code = (err as { code?: unknown }).code;
  // A nightly drop that has not arrived yet: retryable, the activity tries again later.
  if (code === SFTP_NO_SUCH_FILE) return new RosterflowError('SourceUnavailable', `csv source: no file at ${describe}`);
  if (code === SFTP_PERMISSION_DENIED) {
    return new RosterflowError(
      'SourceAuthFailed',
      `csv source: permission denied reading ${describe}; the SFTP user "${username}" must be able to read ${path}`,
    );
  }
  const message = err instanceof Error ? err.message : '';
  return new TransientOpenError(`cannot open ${describe} (${message || 'the session failed'})`, { cause: err });
}
