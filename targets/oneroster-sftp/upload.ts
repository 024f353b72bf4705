import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type SftpClient from 'ssh2-sftp-client';
import { SFTP_NO_SUCH_FILE, SFTP_PERMISSION_DENIED, errorCode } from '../../io/sftp/failures';
import { openSftpSession } from '../../io/sftp/session';
import type { SftpSession } from '../../io/sftp/session';
import type { PinnedSftpSettings } from '../../io/sftp/settings';
import { RosterflowError } from '../../core/errors';

/**
 * How far an upload got, for the activity to heartbeat and pass back on its next attempt: every file
 * before `fileIndex` is completely written under its temporary name, and the first `byteOffset` bytes
 * of file `fileIndex` are acknowledged by the server. `fileIndex === files.length` means all are
 * written and only the renames are left (repeating them is harmless, see `uploadFiles`).
 */
export interface UploadCheckpoint {
  fileIndex: number;
  byteOffset: number;
}

export interface UploadFile {
  /** The final name in the directory, e.g. `users.csv`. */
  name: string;
  /** Its exact length in bytes (the artifact's recorded size). */
  size: number;
  /** The file's bytes from `offset` to the end; called once per attempt at this file. */
  open(offset: number): Readable | Promise<Readable>;
}

export interface UploadRequest {
  sftp: PinnedSftpSettings;
  /** Remote folder, absolute or relative to the login folder; `.` is the login folder itself. */
  directory: string;
  /** Names the temporary files, so a retry of the same run finds its own partial files. */
  runId: string;
  /**
   * Written in this order and renamed into place in this order: pass files before the files that
   * refer to them (orgs, users, roles) and manifest.csv last, as `createOneRosterLayouts` orders them.
   */
  files: readonly UploadFile[];
  /** From the previous attempt's last progress report, to resume instead of starting over. */
  checkpoint?: UploadCheckpoint;
  /** Called after every chunk the server acknowledged and after every finished file. */
  onProgress?: (checkpoint: UploadCheckpoint) => void;
  /** Names the receiver in messages, e.g. `Alludo`. */
  vendor?: string;
  signal?: AbortSignal;
}

export type RenameMethod = 'posix-rename' | 'rename' | 'remove-and-rename';

export interface UploadResult {
  /**
   * Per file: its size, the bytes this attempt sent, and the byte it started from (0 for a fresh
   * write, the checkpoint's offset when resumed, the file's size when an earlier attempt finished it).
   */
  files: { name: string; bytes: number; bytesSent: number; resumedAt: number }[];
  /** Bytes sent in this attempt; with a checkpoint, only what was left. */
  bytesSent: number;
  renamedWith: RenameMethod[];
  /** Temporary files of other runs (crashed or abandoned) removed after the renames. */
  staleTempFilesRemoved: number;
}

/** One SFTP WRITE request's worth: small enough that progress (and a resume point) advances often. */
const CHUNK_BYTES = 32 * 1024;
/**
 * Readable by the receiver's processing user whatever its group, as an interactive `put` with the
 * usual umask would leave it; the folder itself is private to the SFTP account.
 */
const FILE_MODE = 0o644;
/** SFTP status 4: OpenSSH's answer to a plain RENAME onto an existing file. */
const SFTP_FAILURE = 4;

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const RUN_ID = /^[A-Za-z0-9_-]+$/;

/** `.users.csv.rosterflow-<runId>.part`: a dot file the receiver ignores (wrong name) and `ls` hides. */
export function tempFileName(name: string, runId: string): string {
  return `.${name}.rosterflow-${runId}.part`;
}

const TEMP_FILE = /^\.(.+)\.rosterflow-([A-Za-z0-9_-]+)\.part$/;

/**
 * Uploads a package over one SFTP session so the receiver never sees half a file or a half-written
 * set:
 * 1. each file is written under a temporary name in the target directory (the same directory, so the
 *    rename is a metadata change on one file system), resuming from `checkpoint` where possible: the
 *    temporary file must still be there with at least `byteOffset` bytes (bytes past the checkpoint
 *    were not acknowledged, so they are written again) and no more than the file's size; otherwise
 *    that file starts again from byte 0. Files before the checkpoint's index are checked by size and
 *    rewritten if theirs is wrong;
 * 2. only when every file is complete are they renamed over the final names, in the order given
 *    (referenced files before the files that reference them, the manifest last): a receiver that
 *    looks in between sees new orgs with old users, never a user whose org it does not know yet, and
 *    a OneRoster reader sees the new manifest only once its files are in place. The renames take a
 *    few round trips, against Alludo's hourly processing;
 * 3. a rename replaces the existing file atomically with OpenSSH's `posix-rename@openssh.com` when
 *    the server offers it; otherwise a plain RENAME, which some servers let overwrite; and where that
 *    is refused because the file exists (OpenSSH's SFTPv3 RENAME), the old file is removed first,
 *    which leaves a moment with no file (never a partial one);
 * 4. temporary files this target left behind in earlier runs are removed, best effort.
 * A crash during the renames is repaired by the next attempt: files whose temporary copy is gone are
 * written again and renamed again, which gives the same result.
 *
 * Errors: TargetAuthFailed (login, key or host key refused) and TargetRequestRejected (permission
 * denied, no such directory) are permanent; a lost or refused connection is TargetUnavailable and the
 * next attempt resumes from the last reported checkpoint.
 */
export async function uploadFiles(request: UploadRequest): Promise<UploadResult> {
  const vendor = request.vendor ?? 'OneRoster SFTP';
  checkRequest(request);
  const directory = request.directory;
  const session = await openSftpSession(request.sftp, { side: 'target', prefix: vendor, signal: request.signal });
  const result: UploadResult = { files: [], bytesSent: 0, renamedWith: [], staleTempFilesRemoved: 0 };
  const fail = failureReporter(session, request, vendor);
  try {
    const checkpoint = usableCheckpoint(request.checkpoint, request.files);
    for (const [index, file] of request.files.entries()) {
      const temp = posix.join(directory, tempFileName(file.name, request.runId));
      const resumeAt = await resumePoint(session.client, temp, file, index, checkpoint).catch(fail(`checking ${temp}`));
      let bytesSent = 0;
      if (resumeAt !== file.size || resumeAt === 0) {
        bytesSent = await writeFile(session, temp, file, resumeAt, (acknowledged) =>
          request.onProgress?.({ fileIndex: index, byteOffset: acknowledged }),
        ).catch(fail(`writing ${temp}`, 'open'));
        const written = await session.client.stat(temp).catch(fail(`checking ${temp}`));
        if (written.size !== file.size) {
          throw new RosterflowError(
            'DeliveryFailed',
            `${vendor}: ${session.server} holds ${written.size} bytes of ${temp} after the upload, not ${file.size}`,
          );
        }
      }
      result.files.push({ name: file.name, bytes: file.size, bytesSent, resumedAt: resumeAt });
      result.bytesSent += bytesSent;
      request.onProgress?.({ fileIndex: index + 1, byteOffset: 0 });
    }

    let posixRename = true;
    for (const file of request.files) {
      const temp = posix.join(directory, tempFileName(file.name, request.runId));
      const final = posix.join(directory, file.name);
      const method = await moveIntoPlace(session.client, temp, final, posixRename).catch(
        fail(`renaming ${temp} to ${final}`),
      );
      if (method !== 'posix-rename') posixRename = false;
      result.renamedWith.push(method);
    }
    result.staleTempFilesRemoved = await removeStaleTempFiles(session.client, directory, request);
    return result;
  } finally {
    await session.end();
  }
}

function checkRequest(request: UploadRequest): void {
  if (!RUN_ID.test(request.runId))
    throw new RosterflowError(
      'InvalidInput',
      'uploadFiles: runId may hold only letters, digits, dashes and underscores',
    );
  const names = new Set<string>();
  for (const file of request.files) {
    if (!FILE_NAME.test(file.name) || names.has(file.name))
      throw new RosterflowError('InvalidInput', `uploadFiles: "${file.name}" is not a plain, unique file name`);
    if (!Number.isSafeInteger(file.size) || file.size < 0)
      throw new RosterflowError('InvalidInput', `uploadFiles: ${file.name} has no valid size`);
    names.add(file.name);
  }
}

/** A checkpoint that does not fit these files (another package) is ignored rather than trusted. */
function usableCheckpoint(checkpoint: UploadCheckpoint | undefined, files: readonly UploadFile[]): UploadCheckpoint {
  if (!checkpoint) return { fileIndex: 0, byteOffset: 0 };
  const { fileIndex, byteOffset } = checkpoint;
  const file = files[fileIndex];
  const valid =
    Number.isSafeInteger(fileIndex) &&
    Number.isSafeInteger(byteOffset) &&
    fileIndex >= 0 &&
    byteOffset >= 0 &&
    (fileIndex === files.length ? byteOffset === 0 : file !== undefined && byteOffset <= file.size);
  return valid ? checkpoint : { fileIndex: 0, byteOffset: 0 };
}

/**
 * Where to start writing this file: its size when an earlier attempt finished it (nothing to send),
 * the checkpoint's offset when resuming inside it, else 0.
 */
async function resumePoint(
  client: SftpClient,
  temp: string,
  file: UploadFile,
  index: number,
  checkpoint: UploadCheckpoint,
): Promise<number> {
  if (index > checkpoint.fileIndex) return 0;
  const wanted = index < checkpoint.fileIndex ? file.size : checkpoint.byteOffset;
  if (wanted === 0) return 0;
  const remoteSize = await sizeOf(client, temp);
  if (remoteSize === undefined) return 0;
  if (index < checkpoint.fileIndex) return remoteSize === file.size ? file.size : 0;
  return remoteSize >= wanted && remoteSize <= file.size ? wanted : 0;
}

async function sizeOf(client: SftpClient, path: string): Promise<number | undefined> {
  try {
    return (await client.stat(path)).size;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Writes `file` from `start` to its end into `temp`: truncated and written from 0, or opened without
 * truncation and written from `start` when resuming. Reports each acknowledged offset; returns the
 * bytes sent.
 */
async function writeFile(
  session: SftpSession,
  temp: string,
  file: UploadFile,
  start: number,
  onAcknowledged: (offset: number) => void,
): Promise<number> {
  const stream = session.client.createWriteStream(temp, { flags: start > 0 ? 'r+' : 'w', start, mode: FILE_MODE });
  let failure: Error | undefined;
  stream.on('error', (err: Error) => {
    failure ??= err;
  });
  const source = await file.open(start);
  let sent = 0;
  let acknowledged = start;
  try {
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
        if (failure !== undefined) throw failure;
        const slice = bytes.subarray(at, at + CHUNK_BYTES);
        sent += slice.length;
        if (start + sent > file.size) throw sizeMismatch(file, start);
        const more = stream.write(slice, (err) => {
          if (err) return;
          acknowledged += slice.length;
          onAcknowledged(acknowledged);
        });
        if (!more) await Promise.race([once(stream, 'drain'), session.untilLost()]);
      }
    }
    if (start + sent !== file.size) throw sizeMismatch(file, start);
    if (failure !== undefined) throw failure;
    // 'close' follows the server's answer to CLOSE, after every WRITE was acknowledged.
    const closed = once(stream, 'close');
    stream.end();
    await Promise.race([closed, session.untilLost()]);
    return sent;
  } finally {
    source.destroy();
    if (!stream.destroyed) stream.destroy();
  }
}

function sizeMismatch(file: UploadFile, start: number): RosterflowError {
  return new RosterflowError(
    'InvalidInput',
    `uploadFiles: the content of ${file.name} from byte ${start} does not have the recorded size of ${file.size} bytes`,
  );
}

async function moveIntoPlace(
  client: SftpClient,
  from: string,
  to: string,
  tryPosixRename: boolean,
): Promise<RenameMethod> {
  if (tryPosixRename) {
    try {
      await client.posixRename(from, to);
      return 'posix-rename';
    } catch (err) {
      // ssh2 refuses the request itself when the server did not advertise the extension.
      if (!/does not support/i.test(err instanceof Error ? err.message : '')) throw err;
    }
  }
  try {
    await client.rename(from, to);
    return 'rename';
  } catch (err) {
    if ((err as { code?: unknown }).code !== SFTP_FAILURE) throw err;
  }
  await client.delete(to, true);
  await client.rename(from, to);
  return 'remove-and-rename';
}

/** Temporary copies of these file names from other runs; ours are renamed by now. Failures are ignored. */
async function removeStaleTempFiles(client: SftpClient, directory: string, request: UploadRequest): Promise<number> {
  const names = new Set(request.files.map((file) => file.name));
  let removed = 0;
  try {
    for (const entry of await client.list(directory)) {
      const match = TEMP_FILE.exec(entry.name);
      if (!match || !names.has(match[1] ?? '') || match[2] === request.runId || entry.type !== '-') continue;
      await client.delete(posix.join(directory, entry.name), true);
      removed += 1;
    }
  } catch {
    // Left for the next run; the receiver ignores them.
  }
  return removed;
}

/** Classifies a failure of one step; `open` marks steps where "no such file" means a missing directory. */
function failureReporter(session: SftpSession, request: UploadRequest, vendor: string) {
  return (step: string, kind?: 'open') =>
    (err: unknown): never => {
      if (err instanceof RosterflowError) throw err;
      if (request.signal?.aborted) throw request.signal.reason;
      const code = (err as { code?: unknown } | undefined)?.code;
      const message = err instanceof Error ? err.message : '';
      const lost =
        session.lost() ||
        code === 'ERR_NOT_CONNECTED' ||
        errorCode(err) !== undefined ||
        /no response from server|unexpected (close|end)|not connected|no sftp connection/i.test(message);
      if (lost) {
        throw new RosterflowError(
          'TargetUnavailable',
          `${vendor}: the connection to ${session.server} was lost while ${step}; the next attempt resumes from the last checkpoint`,
          { cause: err },
        );
      }
      if (code === SFTP_PERMISSION_DENIED) {
        throw new RosterflowError(
          'TargetRequestRejected',
          `${vendor}: permission denied while ${step} on ${session.server}; the SFTP user "${request.sftp.username}" ` +
            `must be able to write, rename and remove files in ${request.directory}`,
        );
      }
      if (code === SFTP_NO_SUCH_FILE && kind === 'open') {
        throw new RosterflowError(
          'TargetRequestRejected',
          `${vendor}: the directory ${request.directory} does not exist on ${session.server}`,
        );
      }
      throw new RosterflowError(
        'DeliveryFailed',
        `${vendor}: ${step} on ${session.server} failed (SFTP status ${String(code)})`,
        {
          cause: err,
        },
      );
    };
}
