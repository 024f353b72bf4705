import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { posix } from 'node:path';
import { Server, utils } from 'ssh2';
import type { AuthContext, ClientInfo, Connection, ParsedKey } from 'ssh2';
import { DiskFileSystem, advertiseExtensions, serveDiskSftp } from './disk-sftp';
import type { SftpBehaviour } from './disk-sftp';
import { ALLUDO_FILE_NAMES, AlludoRoster } from './roster';
import type { AlludoError, AlludoFileName, AlludoOrg, AlludoRole, AlludoUser, MissingUserPolicy } from './roster';

export const ALLUDO_SFTP_USER = 'district-42';
export const ALLUDO_SFTP_PASSWORD = 'alludo-fake-password-8f2a';
/**
 * An ed25519 key pair ssh2 can read back. About one in 250 keys ssh2 generates has a public key
 * whose leading zero byte was dropped, which its own parser then rejects; those are generated again.
 */
function generateKeyPair(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}

/** A client key in the account's authorized_keys; generated once per test process. */
export const ALLUDO_CLIENT_KEY = generateKeyPair();

const AUTH_METHODS: AuthContext['method'][] = ['password', 'publickey'];

/** One processing run: which files it read (their whole content), which names it ignored, what failed. */
export interface TickReport {
  tick: number;
  processed: Partial<Record<AlludoFileName, string>>;
  /** Other names in the folder, temporary files included: Alludo ignores wrongly named files. */
  ignored: string[];
  errors: AlludoError[];
  /** Users whose access this run removed (enabledUser=No, or missing under `missingUsers: remove-access`). */
  accessRemoved: string[];
}

/**
 * Alludo's rostering SFTP drop (specs/targets.md section 4), on ssh2's Server with a file system whose
 * files are kept on disk (a temporary folder, removed on close), so a million-row upload costs no memory. The account logs in by password (what Alludo hands out) or key, into its root folder.
 * Processing ("deployed to Alludo about once an hour") runs only when a test calls `processTick()`:
 * it snapshots `orgs.csv`, `users.csv` and `roles.csv` (exact, case-sensitive names, in `directory`
 * only; every other name is ignored), parses them with Alludo's numbered columns and applies them:
 * Yes/No `enabledUser` (No removes access), one level of `local` nesting, users -> orgs and
 * roles -> users/orgs references. Bad rows are skipped and reported; the rest is applied.
 *
 * Switches: `refuseAuth`, `dropAfterBytes(n)`, `behaviour` (plain RENAME overwriting or not,
 * posix-rename answered), `advertisePosixRename` and `missingUsers` ([?] in the spec). Observations:
 * `writes`, `bytesWritten`, `renames`, `removed`, `connections`, `authFailures`, `ticks`, and
 * `onChange`, called after every change to the file system (to run a tick between any two requests).
 */
export class AlludoSftpFake {
  readonly fs = new DiskFileSystem();
  /** Where Alludo looks for the files: the SFTP root. */
  readonly directory: string;
  readonly behaviour: SftpBehaviour = { renameOverwrites: false, posixRename: true };
  /** Advertise OpenSSH's posix-rename@openssh.com in the SFTP VERSION, as sshd does. */
  advertisePosixRename = true;
  /** Every login is refused (wrong credentials as far as the client can tell). */
  refuseAuth = false;
  missingUsers: MissingUserPolicy = 'keep';
  onChange: ((kind: 'write' | 'rename' | 'remove', path: string, newPath?: string) => void) | undefined;
  /** Holds every WRITE's acknowledgement this long (a slow link), so a test can kill the uploader mid-file. */
  writeAckDelayMs = 0;

  readonly hostKey = generateKeyPair();
  /** As `ssh-keygen -lf` prints it: `SHA256:` and 43 base64 characters. */
  readonly hostKeySha256: string;
  readonly host = '127.0.0.1';
  port = 0;

  connections = 0;
  authFailures = 0;
  /** Bytes applied by WRITE requests, over all sessions. */
  bytesWritten = 0;
  readonly writes: { path: string; offset: number; length: number }[] = [];
  readonly renames: { from: string; to: string }[] = [];
  readonly removed: string[] = [];
  readonly ticks: TickReport[] = [];

  private readonly roster = new AlludoRoster(() => this.missingUsers);
  private dropBudget: number | undefined;
  private readonly sockets = new Map<number, Socket>();
  private readonly ssh: Server;
  private readonly tcp: NetServer;
  private readonly authorizedKey: ParsedKey;

  private constructor(directory: string) {
    this.directory = posix.resolve('/', directory);
    this.fs.mkdir(this.directory);
    this.hostKeySha256 = `SHA256:${fingerprintOf(parsed(this.hostKey.public))}`;
    this.authorizedKey = parsed(ALLUDO_CLIENT_KEY.public);
    this.ssh = new Server({ hostKeys: [this.hostKey.private] }, (client, info) => this.serve(client, info));
    this.tcp = createServer((socket) => this.accept(socket));
  }

  static async start(options: { directory?: string } = {}): Promise<AlludoSftpFake> {
    const fake = new AlludoSftpFake(options.directory ?? '/');
    await new Promise<void>((resolve) => fake.tcp.listen(0, fake.host, resolve));
    fake.port = (fake.tcp.address() as AddressInfo).port;
    return fake;
  }

  /** The connection writing the `bytes`+1st byte gets the first `bytes` applied, then is cut, unanswered. Once. */
  dropAfterBytes(bytes: number): void {
    this.dropBudget = bytes;
  }

  /** The content at `name` in the drop folder, as text. */
  /**
   * A `oneroster-sftp` target pointed at this server, its password read from `passwordEnv`
   * (which the test sets to ALLUDO_SFTP_PASSWORD).
   */
  targetConfig(profile = 'alludo', passwordEnv = 'ALLUDO_TEST_PASSWORD') {
    return {
      type: 'oneroster-sftp',
      profile,
      orgsFrom: 'department',
      sftp: {
        host: this.host,
        port: this.port,
        username: ALLUDO_SFTP_USER,
        password: { env: passwordEnv },
        hostKeySha256: this.hostKeySha256,
      },
    };
  }

  file(name: string): string | undefined {
    return this.fs.read(posix.join(this.directory, name))?.toString('utf8');
  }

  /** Names in the drop folder, as `ls -a` would list them. */
  listing(): string[] {
    return this.fs.entries(this.directory).map((entry) => entry.name);
  }

  /** One processing run over what is in the folder right now. */
  processTick(): TickReport {
    const snapshot = new Map<AlludoFileName, Buffer>();
    const ignored: string[] = [];
    for (const { name, file } of this.fs.entries(this.directory)) {
      if (!file) continue;
      if ((ALLUDO_FILE_NAMES as string[]).includes(name)) snapshot.set(name as AlludoFileName, Buffer.from(file.data));
      else ignored.push(name);
    }
    const { errors, accessRemoved } = this.roster.apply(snapshot);
    const processed: TickReport['processed'] = {};
    for (const [name, content] of snapshot) processed[name] = content.toString('utf8');
    const report = { tick: this.ticks.length + 1, processed, ignored, errors, accessRemoved };
    this.ticks.push(report);
    return report;
  }

  users(): AlludoUser[] {
    return [...this.roster.users.values()];
  }

  orgs(): AlludoOrg[] {
    return [...this.roster.orgs.values()];
  }

  roles(): AlludoRole[] {
    return [...this.roster.roles.values()];
  }

  /** The last processing run's errors. */
  errors(): AlludoError[] {
    return this.ticks.at(-1)?.errors ?? [];
  }

  openConnections(): number {
    return this.sockets.size;
  }

  close(): Promise<void> {
    for (const socket of this.sockets.values()) socket.destroy();
    return new Promise((resolve) =>
      this.tcp.close(() => {
        this.fs.dispose();
        resolve();
      }),
    );
  }

  private accept(socket: Socket): void {
    this.connections += 1;
    const port = socket.remotePort ?? -1;
    this.sockets.set(port, socket);
    socket.once('close', () => this.sockets.delete(port));
    socket.on('error', () => undefined);
    this.ssh.injectSocket(socket);
  }

  private serve(client: Connection, info: ClientInfo): void {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => this.authenticate(ctx));
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          if (this.advertisePosixRename) advertiseExtensions(sftp, { 'posix-rename@openssh.com': '1' });
          serveDiskSftp(sftp, this.fs, '/', this.behaviour, {
            beforeWrite: (path, offset, length) => {
              const budget = this.dropBudget;
              const apply = budget === undefined ? length : Math.min(length, budget);
              if (budget !== undefined) this.dropBudget = budget - apply;
              const drop = budget !== undefined && length > budget;
              if (drop) this.dropBudget = undefined;
              this.bytesWritten += apply;
              if (apply > 0) this.writes.push({ path, offset, length: apply });
              return { apply, drop };
            },
            afterChange: (kind, path, newPath) => {
              if (kind === 'rename' && newPath !== undefined) this.renames.push({ from: path, to: newPath });
              if (kind === 'remove') this.removed.push(path);
              this.onChange?.(kind, path, newPath);
            },
            drop: () => this.sockets.get(info.port)?.destroy(),
            writeAckDelayMs: () => this.writeAckDelayMs,
          });
        });
      });
    });
  }

  private authenticate(ctx: AuthContext): void {
    const refuse = () => {
      if (ctx.method !== 'none') this.authFailures += 1;
      ctx.reject(AUTH_METHODS);
    };
    if (this.refuseAuth || ctx.username !== ALLUDO_SFTP_USER) return refuse();
    switch (ctx.method) {
      case 'password':
        return ctx.password === ALLUDO_SFTP_PASSWORD ? ctx.accept() : refuse();
      case 'publickey': {
        const key = this.authorizedKey;
        if (key.type !== ctx.key.algo || !key.getPublicSSH().equals(ctx.key.data)) return refuse();
        // Without a signature the client only asks whether this key would do (RFC 4252 section 7).
        if (!ctx.signature || !ctx.blob) return ctx.accept();
        return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : refuse();
      }
      default:
        return ctx.reject(AUTH_METHODS);
    }
  }
}

function parsed(key: string): ParsedKey {
  const result = utils.parseKey(key);
  if (result instanceof Error) throw result;
  return result;
}

function fingerprintOf(key: ParsedKey): string {
  return createHash('sha256').update(key.getPublicSSH()).digest('base64').replace(/=+$/, '');
}
