import { Buffer } from 'node:buffer';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { utils } from 'ssh2';
import type { Attributes, SFTPWrapper } from 'ssh2';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/**
 * A file whose bytes live on disk, in the file system's temporary folder, never in memory. A handle
 * keeps the object, so writes follow the file through a rename, like an inode.
 */
export class DiskFile {
  mode = 0o644;
  mtime = now();
  size = 0;

  /** `blob`: where the bytes are, in the file system's temporary folder. */
  constructor(readonly blob: string) {
    writeFileSync(blob, '');
  }

  /** The whole content (for tests and processing runs; the SFTP requests read and write ranges). */
  get data(): Buffer {
    return readFileSync(this.blob);
  }

  set data(content: Buffer) {
    writeFileSync(this.blob, content);
    this.size = content.length;
    this.mtime = now();
  }

  write(at: number, part: Buffer): void {
    this.onDisk('r+', (fd) => writeSync(fd, part, 0, part.length, at));
    this.size = Math.max(this.size, at + part.length);
    this.mtime = now();
  }

  read(at: number, length: number): Buffer {
    const buffer = Buffer.alloc(Math.max(0, Math.min(length, this.size - at)));
    const read = this.onDisk('r', (fd) => readSync(fd, buffer, 0, buffer.length, at));
    return buffer.subarray(0, read);
  }

  private onDisk<T>(flags: string, use: (fd: number) => T): T {
    const fd = openSync(this.blob, flags);
    try {
      return use(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** A file system whose tree (absolute paths, explicit directories) is in memory and whose file bytes are on disk. */
export class DiskFileSystem {
  readonly files = new Map<string, DiskFile>();
  readonly directories = new Set<string>(['/']);
  private readonly root = mkdtempSync(join(tmpdir(), 'rosterflow-sftp-fake-'));
  private blobs = 0;

  mkdir(path: string): void {
    let current = posix.resolve('/', path);
    while (!this.directories.has(current)) {
      this.directories.add(current);
      current = posix.dirname(current);
    }
  }

  /** A new, empty file's bytes on disk. */
  newFile(): DiskFile {
    this.blobs += 1;
    return new DiskFile(join(this.root, String(this.blobs)));
  }

  put(path: string, content: Buffer | string): void {
    const resolved = posix.resolve('/', path);
    this.mkdir(posix.dirname(resolved));
    const file = this.newFile();
    file.data = Buffer.from(content);
    this.files.set(resolved, file);
  }

  read(path: string): Buffer | undefined {
    return this.files.get(posix.resolve('/', path))?.data;
  }

  /** Names directly inside `directory`: files and folders. */
  entries(directory: string): { name: string; file?: DiskFile }[] {
    const dir = posix.resolve('/', directory);
    const inside = (path: string) => path !== dir && posix.dirname(path) === dir;
    return [
      ...[...this.directories].filter(inside).map((path) => ({ name: posix.basename(path) })),
      ...[...this.files].filter(([path]) => inside(path)).map(([path, file]) => ({ name: posix.basename(path), file })),
    ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Removes every file's bytes from disk. */
  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** How the served SFTP behaves where servers differ. */
export interface SftpBehaviour {
  /** A plain RENAME onto an existing file replaces it (some servers) or fails (OpenSSH's SFTPv3 RENAME). */
  renameOverwrites: boolean;
  /** Answer `posix-rename@openssh.com` (OpenSSH's atomic replace); advertising it is the server's job. */
  posixRename: boolean;
}

export interface SftpObserver {
  /**
   * Before a WRITE is applied: how many of its bytes to apply, and whether to drop the connection
   * instead of answering (a server or network failing mid-upload).
   */
  beforeWrite(path: string, offset: number, length: number): { apply: number; drop: boolean };
  /** After a request that changed the file system was applied and answered. */
  afterChange(kind: 'write' | 'rename' | 'remove', path: string, newPath?: string): void;
  drop(): void;
  /** How long to hold a WRITE's acknowledgement (a slow link), so a test can stop the client mid-file. */
  writeAckDelayMs?(): number;
}

/**
 * draft-ietf-secsh-filexfer-02 over a DiskFileSystem, for one session: REALPATH, STAT, LSTAT, FSTAT,
 * SETSTAT, FSETSTAT, OPEN (read, write, create, truncate, exclusive, append), READ, WRITE at offsets,
 * CLOSE, OPENDIR, READDIR, REMOVE, RENAME and the posix-rename@openssh.com extension. Relative paths
 * are resolved against `home`.
 */
export function serveDiskSftp(
  sftp: SFTPWrapper,
  fs: DiskFileSystem,
  home: string,
  behaviour: SftpBehaviour,
  observer: SftpObserver,
): void {
  type Handle =
    { kind: 'file'; path: string; file: DiskFile; append: boolean } | { kind: 'dir'; path: string; listed: boolean };
  const handles = new Map<number, Handle>();
  let nextHandle = 0;
  const resolve = (path: string) => posix.resolve(home, path);
  const handleOf = (handle: Buffer) => (handle.length === 4 ? handles.get(handle.readUInt32BE(0)) : undefined);
  const newHandle = (entry: Handle) => {
    const id = nextHandle++;
    handles.set(id, entry);
    const handle = Buffer.alloc(4);
    handle.writeUInt32BE(id, 0);
    return handle;
  };
  const stat = (reqId: number, path: string) => {
    const resolved = resolve(path);
    const file = fs.files.get(resolved);
    if (file) return sftp.attrs(reqId, fileAttributes(file));
    if (fs.directories.has(resolved)) return sftp.attrs(reqId, directoryAttributes());
    sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
  };
  const rename = (reqId: number, from: string, to: string, overwrite: boolean) => {
    const source = resolve(from);
    const target = resolve(to);
    const file = fs.files.get(source);
    if (!file) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    if (!fs.directories.has(posix.dirname(target))) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    if (fs.directories.has(target)) return sftp.status(reqId, STATUS_CODE.FAILURE);
    if (fs.files.has(target) && !overwrite) return sftp.status(reqId, STATUS_CODE.FAILURE);
    fs.files.delete(source);
    fs.files.set(target, file);
    sftp.status(reqId, STATUS_CODE.OK);
    observer.afterChange('rename', source, target);
  };

  sftp.on('REALPATH', (reqId, path) => {
    const resolved = resolve(path);
    sftp.name(reqId, [{ filename: resolved, longname: resolved, attrs: directoryAttributes() }]);
  });
  sftp.on('STAT', stat);
  sftp.on('LSTAT', stat);
  sftp.on('SETSTAT', (reqId, path) => {
    const resolved = resolve(path);
    const exists = fs.files.has(resolved) || fs.directories.has(resolved);
    sftp.status(reqId, exists ? STATUS_CODE.OK : STATUS_CODE.NO_SUCH_FILE);
  });
  sftp.on('OPEN', (reqId, filename, flags) => {
    const path = resolve(filename);
    if (fs.directories.has(path)) return sftp.status(reqId, STATUS_CODE.FAILURE);
    if (!fs.directories.has(posix.dirname(path))) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    let file = fs.files.get(path);
    if (file && flags & OPEN_MODE.CREAT && flags & OPEN_MODE.EXCL) return sftp.status(reqId, STATUS_CODE.FAILURE);
    if (!file) {
      if (!(flags & OPEN_MODE.CREAT)) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
      file = fs.newFile();
      fs.files.set(path, file);
    } else if (flags & OPEN_MODE.TRUNC) {
      file.data = Buffer.alloc(0);
    }
    sftp.handle(reqId, newHandle({ kind: 'file', path, file, append: (flags & OPEN_MODE.APPEND) !== 0 }));
  });
  sftp.on('READ', (reqId, handle, offset, length) => {
    const entry = handleOf(handle);
    if (entry?.kind !== 'file') return sftp.status(reqId, STATUS_CODE.FAILURE);
    if (offset >= entry.file.size) return sftp.status(reqId, STATUS_CODE.EOF);
    sftp.data(reqId, entry.file.read(offset, length));
  });
  sftp.on('WRITE', (reqId, handle, offset, data) => {
    const entry = handleOf(handle);
    if (entry?.kind !== 'file') return sftp.status(reqId, STATUS_CODE.FAILURE);
    const at = entry.append ? entry.file.size : offset;
    const { apply, drop } = observer.beforeWrite(entry.path, at, data.length);
    const part = data.subarray(0, apply);
    if (part.length > 0) entry.file.write(at, part);
    if (drop) return observer.drop();
    const acknowledge = () => {
      sftp.status(reqId, STATUS_CODE.OK);
      observer.afterChange('write', entry.path);
    };
    const delay = observer.writeAckDelayMs?.() ?? 0;
    if (delay > 0) setTimeout(acknowledge, delay);
    else acknowledge();
  });
  sftp.on('FSTAT', (reqId, handle) => {
    const entry = handleOf(handle);
    if (!entry) return sftp.status(reqId, STATUS_CODE.FAILURE);
    sftp.attrs(reqId, entry.kind === 'file' ? fileAttributes(entry.file) : directoryAttributes());
  });
  sftp.on('FSETSTAT', (reqId, handle, attrs: Attributes) => {
    const entry = handleOf(handle);
    if (!entry) return sftp.status(reqId, STATUS_CODE.FAILURE);
    if (entry.kind === 'file' && typeof attrs.mode === 'number') entry.file.mode = attrs.mode & 0o7777;
    sftp.status(reqId, STATUS_CODE.OK);
  });
  sftp.on('CLOSE', (reqId, handle) => {
    if (handle.length !== 4 || !handles.delete(handle.readUInt32BE(0))) return sftp.status(reqId, STATUS_CODE.FAILURE);
    sftp.status(reqId, STATUS_CODE.OK);
  });
  sftp.on('OPENDIR', (reqId, path) => {
    const resolved = resolve(path);
    if (!fs.directories.has(resolved)) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    sftp.handle(reqId, newHandle({ kind: 'dir', path: resolved, listed: false }));
  });
  sftp.on('READDIR', (reqId, handle) => {
    const entry = handleOf(handle);
    if (entry?.kind !== 'dir') return sftp.status(reqId, STATUS_CODE.FAILURE);
    if (entry.listed) return sftp.status(reqId, STATUS_CODE.EOF);
    entry.listed = true;
    sftp.name(
      reqId,
      fs.entries(entry.path).map(({ name, file }) => {
        const attrs = file ? fileAttributes(file) : directoryAttributes();
        const longname = `${file ? '-' : 'd'}rw-r--r--    1 1000     1000     ${attrs.size} Nov 30 02:00 ${name}`;
        return { filename: name, longname, attrs };
      }),
    );
  });
  sftp.on('REMOVE', (reqId, path) => {
    const resolved = resolve(path);
    if (!fs.files.delete(resolved)) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    sftp.status(reqId, STATUS_CODE.OK);
    observer.afterChange('remove', resolved);
  });
  sftp.on('RENAME', (reqId, from, to) => rename(reqId, from, to, behaviour.renameOverwrites));
  sftp.on('EXTENDED', (reqId, name, data) => {
    if (name !== 'posix-rename@openssh.com' || !behaviour.posixRename)
      return sftp.status(reqId, STATUS_CODE.OP_UNSUPPORTED);
    const [from, to] = readStrings(data, 2);
    if (from === undefined || to === undefined) return sftp.status(reqId, STATUS_CODE.BAD_MESSAGE);
    rename(reqId, from, to, true);
  });
}

/**
 * ssh2's server always answers INIT with a VERSION that names no extensions, so a client never sends
 * OpenSSH's. This swaps that one packet for one advertising `extensions`, as sshd's sftp-server does.
 * It reaches into ssh2's internals (the shared protocol's channelData), which is fine for a fake.
 */
export function advertiseExtensions(sftp: SFTPWrapper, extensions: Record<string, string>): void {
  const internals = sftp as unknown as {
    _protocol: { channelData: (this: void, id: number, data: Buffer) => void };
    outgoing: { id: number };
  };
  const protocol = internals._protocol;
  const original = protocol.channelData;
  const plainVersion = Buffer.from([0, 0, 0, 5, 2, 0, 0, 0, 3]);
  protocol.channelData = function (this: unknown, id: number, data: Buffer) {
    const send = (channel: number, payload: Buffer) => Reflect.apply(original, this, [channel, payload]) as void;
    if (id === internals.outgoing.id && data.equals(plainVersion)) {
      protocol.channelData = original;
      return send(id, versionPacket(extensions));
    }
    return send(id, data);
  };
}

function versionPacket(extensions: Record<string, string>): Buffer {
  const body: Buffer[] = [Buffer.from([2, 0, 0, 0, 3])];
  for (const [name, value] of Object.entries(extensions)) body.push(sshString(name), sshString(value));
  const payload = Buffer.concat(body);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(payload.length, 0);
  return Buffer.concat([length, payload]);
}

function sshString(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

function readStrings(data: Buffer | undefined, count: number): (string | undefined)[] {
  const values: (string | undefined)[] = [];
  let at = 0;
  for (let index = 0; index < count; index += 1) {
    if (!data || at + 4 > data.length) return [...values, undefined];
    const length = data.readUInt32BE(at);
    values.push(data.toString('utf8', at + 4, at + 4 + length));
    at += 4 + length;
  }
  return values;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function fileAttributes(file: DiskFile) {
  return {
    mode: 0o100000 | file.mode,
    uid: 1000,
    gid: 1000,
    size: file.size,
    atime: file.mtime,
    mtime: file.mtime,
  };
}

function directoryAttributes() {
  const time = now();
  return { mode: 0o40755, uid: 1000, gid: 1000, size: 0, atime: time, mtime: time };
}
