import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { posix } from 'node:path';
import { Server, utils } from 'ssh2';
import type { AuthContext, Connection, ClientInfo, ParsedKey, SFTPWrapper } from 'ssh2';
import type { ConformanceFake } from '../../support/source-conformance';
import { syntheticPeople } from '../support/people';
import type { Person } from '../support/people';
import { DEFAULT_CSV_FILE, renderPeopleCsv } from './people-csv';
import type { CsvFileOptions } from './people-csv';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

export const SFTP_USER = 'hr-export';
export const SFTP_PASSWORD = 'sftp-fake-password-5e1d';
/** Where `seed` drops the roster, as an HRIS's nightly export job would. */
export const SFTP_DROP_PATH = '/outbound/people.csv';

/** Client keys the fake's user has in its authorized_keys; generated once per test process. */
export const SFTP_CLIENT_KEY = generateKeyPair();
export const SFTP_KEY_PASSPHRASE = 'fake-key-passphrase-41b8';
export const SFTP_ENCRYPTED_CLIENT_KEY = generateKeyPair({
  passphrase: SFTP_KEY_PASSPHRASE,
  cipher: 'aes256-ctr',
  rounds: 16,
});

const AUTH_METHODS: AuthContext['method'][] = ['password', 'publickey'];

/**
 * How the fake turns a connection away:
 * - `reset`: a TCP reset as soon as it is accepted (a firewall, or a host at its connection limit);
 * - `close`: closed before the SSH banner (how OpenSSH's MaxStartups refuses: "Connection closed by remote host");
 * - `drop`: authenticated, then dropped when the client starts the SFTP subsystem (a server restarting).
 */
export type ConnectionFault = 'reset' | 'close' | 'drop';

/**
 * An SFTP server (ssh2's Server, with an in-memory file system) for the CSV drop source. It
 * generates an ed25519 host key, authenticates one user by password or public key, serves
 * REALPATH, STAT, LSTAT, OPEN (read-only), READ, FSTAT and CLOSE, and counts what a test asserts
 * on: TCP connections (the conformance kit's "listing requests"), failed credentials, connections
 * still open, open file handles and bytes served.
 */
export class SftpFake implements ConformanceFake {
  people: Person[] = [];
  /** Path -> content; directories exist implicitly as the parents of files. */
  readonly files = new Map<string, Buffer>();
  /** Paths OPEN refuses with PERMISSION_DENIED. */
  readonly unreadable = new Set<string>();
  /** How `seed` writes the roster. */
  fileOptions: CsvFileOptions = { ...DEFAULT_CSV_FILE };
  /** What `rateLimitNext` does to the connections it turns away. */
  rateLimitFault: ConnectionFault = 'reset';

  readonly hostKey = generateKeyPair();
  /** The host key's fingerprint as `ssh-keygen -lf` prints it, e.g. `SHA256:k3x...`. */
  readonly hostKeySha256: string;

  /** TCP connections accepted, turned-away ones included. */
  connections = 0;
  /** Authentication requests of any method, `none` included. */
  authAttempts = 0;
  /** Wrong passwords, unknown keys, bad signatures and unknown users. */
  authFailures = 0;
  /** File handles open now, over all sessions. */
  openHandles = 0;
  /** Bytes sent in READ replies. */
  bytesServed = 0;
  port = 0;
  readonly host = '127.0.0.1';

  private readonly faults: ConnectionFault[] = [];
  /** Remote ports of accepted connections that are to be dropped after authentication. */
  private readonly dropping = new Set<number>();
  private readonly sockets = new Set<Socket>();
  private readonly authorizedKeys: ParsedKey[];
  private readonly ssh: Server;
  private readonly tcp: NetServer;

  private constructor() {
    this.hostKeySha256 = `SHA256:${fingerprintOf(parsed(this.hostKey.public))}`;
    this.authorizedKeys = [parsed(SFTP_CLIENT_KEY.public), parsed(SFTP_ENCRYPTED_CLIENT_KEY.public)];
    this.ssh = new Server({ hostKeys: [this.hostKey.private] }, (client, info) => this.serve(client, info));
    this.tcp = createServer((socket) => this.accept(socket));
  }

  static async start(): Promise<SftpFake> {
    const fake = new SftpFake();
    await new Promise<void>((resolve) => fake.tcp.listen(0, fake.host, resolve));
    fake.port = (fake.tcp.address() as AddressInfo).port;
    return fake;
  }

  seed(count: number): void {
    this.people = syntheticPeople(count);
    this.files.set(SFTP_DROP_PATH, renderPeopleCsv(this.people, this.fileOptions));
  }

  put(path: string, content: Buffer | string): void {
    this.files.set(posix.resolve('/', path), Buffer.from(content));
  }

  /** Turns the next `times` connections away (see `ConnectionFault`). */
  refuseNext(times: number, fault: ConnectionFault): void {
    for (let index = 0; index < times; index += 1) this.faults.push(fault);
  }

  /** SFTP has no rate-limit answer; a busy server refuses or drops connections, which is what this does. */
  rateLimitNext(times: number): void {
    this.refuseNext(times, this.rateLimitFault);
  }

  /** One listing is one SSH session: the TCP connections accepted, turned-away ones included. */
  listingRequests(): number {
    return this.connections;
  }

  /** TCP connections not yet closed. */
  openConnections(): number {
    return this.sockets.size;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.tcp.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.connections += 1;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const fault = this.faults.shift();
    if (fault === 'reset') return void socket.resetAndDestroy();
    if (fault === 'close') return void socket.destroySoon();
    if (fault === 'drop' && socket.remotePort !== undefined) this.dropping.add(socket.remotePort);
    this.ssh.injectSocket(socket);
  }

  private serve(client: Connection, info: ClientInfo): void {
    const drop = this.dropping.delete(info.port);
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => this.authenticate(ctx));
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => {
          if (drop) return void client.end();
          this.serveFiles(acceptSftp());
        });
      });
    });
  }

  private authenticate(ctx: AuthContext): void {
    this.authAttempts += 1;
    const refuse = () => {
      if (ctx.method !== 'none') this.authFailures += 1;
      ctx.reject(AUTH_METHODS);
    };
    if (ctx.username !== SFTP_USER) return refuse();
    switch (ctx.method) {
      case 'password':
        return ctx.password === SFTP_PASSWORD ? ctx.accept() : refuse();
      case 'publickey': {
        const key = this.authorizedKeys.find(
          (candidate) => candidate.type === ctx.key.algo && candidate.getPublicSSH().equals(ctx.key.data),
        );
        if (!key) return refuse();
        // Without a signature the client only asks whether this key would do (RFC 4252 section 7).
        if (!ctx.signature || !ctx.blob) return ctx.accept();
        return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : refuse();
      }
      default:
        return ctx.reject(AUTH_METHODS);
    }
  }

  /** draft-ietf-secsh-filexfer-02: just what a reader needs, on a read-only snapshot per open handle. */
  private serveFiles(sftp: SFTPWrapper): void {
    const handles = new Map<number, Buffer>();
    let nextHandle = 0;
    const handleId = (handle: Buffer) => (handle.length === 4 ? handle.readUInt32BE(0) : -1);
    const stat = (reqId: number, path: string) => {
      const resolved = posix.resolve('/', path);
      const file = this.files.get(resolved);
      if (file) return sftp.attrs(reqId, fileAttributes(file.length));
      if (this.isDirectory(resolved)) return sftp.attrs(reqId, { ...fileAttributes(0), mode: 0o40755 });
      sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    };

    sftp.on('REALPATH', (reqId, path) => {
      const resolved = posix.resolve('/', path);
      sftp.name(reqId, [{ filename: resolved, longname: resolved, attrs: fileAttributes(0) }]);
    });
    sftp.on('STAT', stat);
    sftp.on('LSTAT', stat);
    sftp.on('OPEN', (reqId, filename, flags) => {
      const path = posix.resolve('/', filename);
      // The drop folder is read-only for this user, as an HRIS's outbound folder usually is.
      if (flags & OPEN_MODE.WRITE || this.unreadable.has(path))
        return sftp.status(reqId, STATUS_CODE.PERMISSION_DENIED);
      const file = this.files.get(path);
      if (!file) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
      const id = nextHandle++;
      handles.set(id, file);
      this.openHandles += 1;
      const handle = Buffer.alloc(4);
      handle.writeUInt32BE(id, 0);
      sftp.handle(reqId, handle);
    });
    sftp.on('READ', (reqId, handle, offset, length) => {
      const file = handles.get(handleId(handle));
      if (!file) return sftp.status(reqId, STATUS_CODE.FAILURE);
      if (offset >= file.length) return sftp.status(reqId, STATUS_CODE.EOF);
      const chunk = file.subarray(offset, offset + length);
      this.bytesServed += chunk.length;
      sftp.data(reqId, chunk);
    });
    sftp.on('FSTAT', (reqId, handle) => {
      const file = handles.get(handleId(handle));
      if (!file) return sftp.status(reqId, STATUS_CODE.FAILURE);
      sftp.attrs(reqId, fileAttributes(file.length));
    });
    sftp.on('CLOSE', (reqId, handle) => {
      if (!handles.delete(handleId(handle))) return sftp.status(reqId, STATUS_CODE.FAILURE);
      this.openHandles -= 1;
      sftp.status(reqId, STATUS_CODE.OK);
    });
    // A session that ends with files open closes them, as sshd's sftp-server does.
    sftp.once('close', () => {
      this.openHandles -= handles.size;
      handles.clear();
    });
  }

  private isDirectory(path: string): boolean {
    if (path === '/') return true;
    return [...this.files.keys()].some((file) => file.startsWith(`${path}/`));
  }
}

function parsed(key: string): ParsedKey {
  const result = utils.parseKey(key);
  if (result instanceof Error) throw result;
  return result;
}

/** OpenSSH's SHA256 fingerprint of a public key, without the `SHA256:` prefix. */
export function fingerprintOf(key: ParsedKey): string {
  return createHash('sha256').update(key.getPublicSSH()).digest('base64').replace(/=+$/, '');
}

function fileAttributes(size: number) {
  const now = Math.floor(Date.now() / 1000);
  return { mode: 0o100644, uid: 1000, gid: 1000, size, atime: now, mtime: now };
}

/** ssh2 produces an unreadable ed25519 public key about once in 250 (measured); draw again when it does. */
function generateKeyPair(options?: Parameters<typeof utils.generateKeyPairSync>[1]) {
  for (;;) {
    const pair = options ? utils.generateKeyPairSync('ed25519', options) : utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}
