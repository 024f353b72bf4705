import type { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadStream } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { RosterflowError } from '../../../core/errors';
import type { SecretResolver } from '../../sdk/secrets';
import type { CsvDropSftpConfig } from '../config';
import { TransientOpenError } from './reader';
import type { FileReader, OpenedFile } from './reader';

/**
 * Per attempt: TCP connected, then authenticated with the SFTP subsystem started. Four attempts of a
 * server that never answers stay under the extract activity's 2-minute heartbeat timeout.
 */
const CONNECT_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 15_000;
/** A server that stops answering mid-file is given up on after about three missed keepalives. */
const KEEPALIVE_INTERVAL_MS = 15_000;
/** How long closing waits for the server to acknowledge before the socket is simply destroyed. */
const CLOSE_WAIT_MS = 2_000;

/** SFTP status codes (draft-ietf-secsh-filexfer-02 section 7). */
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

const ignore = () => undefined;

type Credentials = { password: string } | { privateKey: string; passphrase?: string };

/**
 * A drop on an SFTP server, read through ssh2-sftp-client. Each `open` is one SSH session: TCP
 * connect, host key check, authentication, the SFTP subsystem, then the remote file opened as a
 * stream that issues READ requests as the parser consumes it. The session ends when the file is closed.
 */
export function createSftpReader(path: string, sftp: CsvDropSftpConfig, resolveSecret: SecretResolver): FileReader {
  const server = `${sftp.host}:${sftp.port}`;
  const describe = `${path} on sftp://${sftp.username}@${server}`;

  return {
    describe,
    async open(signal) {
      // Resolved per attempt, so a rotated password or key is picked up by the next listing.
      const credentials = await readCredentials(sftp, resolveSecret);
      const socket = await connectSocket(sftp.host, sftp.port, server, signal);
      const session = openSession(socket, signal);
      try {
        await session.connect(sftp, credentials);
      } catch (err) {
        await session.end();
        throw signal?.aborted ? signal.reason : connectFailure(err, session, sftp, server, credentials);
      }
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

async function readCredentials(sftp: CsvDropSftpConfig, resolveSecret: SecretResolver): Promise<Credentials> {
  if (sftp.password) return { password: await resolveSecret(sftp.password, 'source.sftp.password') };
  if (!sftp.privateKey) throw new RosterflowError('InvalidConfig', 'source.sftp needs a password or a privateKey');
  const privateKey = await resolveSecret(sftp.privateKey, 'source.sftp.privateKey');
  if (!sftp.passphrase) return { privateKey };
  return { privateKey, passphrase: await resolveSecret(sftp.passphrase, 'source.sftp.passphrase') };
}

/** The TCP connection, made here so a refusal is told apart from SSH failures and the socket is always ours to destroy. */
async function connectSocket(host: string, port: number, server: string, signal?: AbortSignal): Promise<Socket> {
  const socket = createConnection({ host, port });
  socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
    socket.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })),
  );
  try {
    await once(socket, 'connect', signal ? { signal } : {});
  } catch (err) {
    socket.destroy();
    if (signal?.aborted) throw signal.reason;
    throw new TransientOpenError(`cannot reach the SFTP server ${server} (${errorCode(err) ?? 'connection failed'})`, {
      cause: err,
    });
  }
  socket.setTimeout(0);
  // ssh2 reports socket errors through the client; this keeps a late one from being unhandled.
  socket.on('error', ignore);
  return socket;
}

interface Session {
  client: SftpClient;
  connect(sftp: CsvDropSftpConfig, credentials: Credentials): Promise<void>;
  /** The fingerprint of the host key the server presented, once it has. */
  presentedHostKey(): string | undefined;
  /** The first error ssh2 raised, which keeps its `level` (ssh2-sftp-client's wrapper drops it). */
  sshError(): unknown;
  end(): Promise<void>;
}

function openSession(socket: Socket, signal?: AbortSignal): Session {
  // The default callbacks log every connection event to the console.
  const client = new SftpClient('rosterflow-csv-drop', { error: ignore, end: ignore, close: ignore });
  let sshError: unknown;
  let presentedHostKey: string | undefined;
  let ended: Promise<void> | undefined;
  client.on('error', (err: unknown) => {
    sshError ??= err;
  });
  const abort = () => socket.destroy();
  signal?.addEventListener('abort', abort, { once: true });

  return {
    client,
    async connect(sftp, credentials) {
      await client.connect({
        sock: socket,
        host: sftp.host,
        port: sftp.port,
        username: sftp.username,
        ...credentials,
        readyTimeout: READY_TIMEOUT_MS,
        keepaliveInterval: KEEPALIVE_INTERVAL_MS,
        hostVerifier: (key: Buffer) => {
          presentedHostKey = fingerprint(key);
          return sftp.hostKeySha256 === undefined || presentedHostKey === sftp.hostKeySha256;
        },
      });
    },
    presentedHostKey: () => presentedHostKey,
    sshError: () => sshError,
    end() {
      ended ??= (async () => {
        signal?.removeEventListener('abort', abort);
        // A polite SSH disconnect, but never waiting on a server that no longer answers.
        await Promise.race([client.end().catch(ignore), sleep(CLOSE_WAIT_MS, undefined, { ref: false })]);
        socket.destroy();
      })();
      return ended;
    },
  };
}

/** OpenSSH's fingerprint: SHA-256 of the key blob, base64 without padding (`ssh-keygen -lf` shows it after `SHA256:`). */
function fingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

function connectFailure(
  err: unknown,
  session: Session,
  sftp: CsvDropSftpConfig,
  server: string,
  credentials: Credentials,
): Error {
  const presented = session.presentedHostKey();
  if (sftp.hostKeySha256 !== undefined && presented !== undefined && presented !== sftp.hostKeySha256) {
    return new RosterflowError(
      'SourceAuthFailed',
      `csv source: the SFTP server ${server} presented host key SHA256:${presented}, not the pinned ` +
        `source.sftp.hostKeySha256 SHA256:${sftp.hostKeySha256}; refusing to connect (a replaced server or an outdated pin)`,
    );
  }
  const sshError = session.sshError();
  const message = messageOf(err);
  const method = 'password' in credentials ? 'password' : 'private key';
  if (levelOf(sshError) === 'client-authentication' || /authentication methods failed/i.test(message)) {
    return new RosterflowError(
      'SourceAuthFailed',
      `csv source: the SFTP server ${server} refused the ${method} of user "${sftp.username}"`,
    );
  }
  if (/cannot parse privatekey|privatekey value/i.test(message)) {
    const why = /passphrase|decrypt|integrity/i.test(message)
      ? 'a wrong or missing source.sftp.passphrase'
      : 'not an OpenSSH, PEM or PPK private key';
    return new RosterflowError('SourceAuthFailed', `csv source: source.sftp.privateKey cannot be used (${why})`);
  }
  return new TransientOpenError(`cannot open an SFTP session with ${server} (${failureReason(sshError, err)})`, {
    cause: err,
  });
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
  return new TransientOpenError(`cannot open ${describe} (${messageOf(err) || 'the session failed'})`, { cause: err });
}

function failureReason(sshError: unknown, err: unknown): string {
  if (levelOf(sshError) === 'client-timeout') return 'timed out';
  return errorCode(sshError) ?? errorCode(err) ?? 'the server closed the connection';
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

function levelOf(err: unknown): unknown {
  return (err as { level?: unknown } | undefined)?.level;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : '';
}
