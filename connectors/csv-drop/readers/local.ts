import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { RosterflowError } from '../../../core/errors';
import { TransientOpenError } from './reader';
import type { FileReader } from './reader';

/** Opens a local file for reading; tests substitute one that fails as a locked or unreadable file would. */
export type OpenLocalFile = (path: string) => Promise<FileHandle>;

/**
 * Open errors that pass: a file held by its writer (Windows and SMB shares report EBUSY, NFS
 * EAGAIN) and a process briefly out of file descriptors.
 */
const TRANSIENT_OPEN_CODES = new Set(['EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE']);

/** A drop on the local file system or a mounted share. */
export function createLocalReader(path: string, openFile: OpenLocalFile = (file) => open(file, 'r')): FileReader {
  return {
    describe: path,
    async open() {
      let handle: FileHandle;
      try {
        handle = await openFile(path);
      } catch (err) {
        throw openFailure(err, path);
      }
      // The stream closes the handle once it ends or is destroyed.
      const stream = handle.createReadStream();
      return {
        stream,
        fd: handle.fd,
        async close() {
          stream.destroy();
          await finished(stream).catch(() => undefined);
        },
      };
    },
  };
}

function openFailure(err: unknown, path: string): Error {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_OPEN_CODES.has(code)) {
    return new TransientOpenError(`${path} cannot be opened (${code})`, { cause: err });
  }
  // A local path names a file that is there or not: nothing is on its way (unlike an SFTP drop),
  // so retrying would only hide a wrong setting for minutes. Fails the run at once.
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new RosterflowError(
      'SourceUnavailable',
      `csv source: no file at ${path} (source.path; a relative path is read from the config file's folder)`,
      { retryable: false },
    );
  }
  // The local counterpart of a refused credential: retrying does not grant the permission.
  if (code === 'EACCES' || code === 'EPERM') {
    return new RosterflowError(
      'SourceAuthFailed',
      `csv source: permission denied reading ${path} (${code}); the worker's user must be able to read it`,
    );
  }
  return new RosterflowError('SourceUnavailable', `csv source: cannot read ${path}`, { cause: err });
}
