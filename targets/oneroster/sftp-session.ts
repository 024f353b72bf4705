import type { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import SftpClient from 'ssh2-sftp-client';
import type { SecretResolver } from '../../connectors/sdk/secrets';
import { RosterflowError } from '../../core/errors';
import type { OneRosterSftpConfig } from './config';

/** TCP connected, then authenticated with the SFTP subsystem started. */
const CONNECT_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 15_000;
/** A server that stops answering mid-file is given up on after about three missed keepalives. */
const KEEPALIVE_INTERVAL_MS = 15_000;
/** How long closing waits for the server to acknowledge before the socket is simply destroyed. */
const CLOSE_WAIT_MS = 2_000;

const ignore = () => undefined;

export type SftpCredentials = { password: string } | { privateKey: string; passphrase?: string };

/** Everything needed to connect, secrets already read: what `uploadFiles` takes. */
export interface SftpConnectionSettings {
  host: string;
  port: number;
  username: string;
  /** The pinned host key's SHA-256 fingerprint, bare base64 without padding (as the config stores it). */
  hostKeySha256: string;
  credentials: SftpCredentials;
}

/** Reads the configured secrets just before use; they are never logged or put in an error. */
export async function resolveSftpSettings(
  sftp: OneRosterSftpConfig,
  resolveSecret: SecretResolver,
): Promise<SftpConnectionSettings> {
  const base = { host: sftp.host, port: sftp.port, username: sftp.username, hostKeySha256: sftp.hostKeySha256 };
  if (sftp.password)
    return { ...base, credentials: { password: await resolveSecret(sftp.password, 'target.sftp.password') } };
  if (!sftp.privateKey) throw new RosterflowError('InvalidConfig', 'target.sftp needs a password or a privateKey');
  const privateKey = await resolveSecret(sftp.privateKey, 'target.sftp.privateKey');
  if (!sftp.passphrase) return { ...base, credentials: { privateKey } };
  const passphrase = await resolveSecret(sftp.passphrase, 'target.sftp.passphrase');
  return { ...base, credentials: { privateKey, passphrase } };
}

export interface SftpSession {
  client: SftpClient;
  /** `host:port`, for messages. */
  server: string;
  /** True once the TCP connection has closed, whoever closed it. */
  lost(): boolean;
  /**
   * Rejects when the connection closes. ssh2's write streams never report a lost connection when
   * they are mid-write (their destroy waits on a CLOSE the dead channel cannot answer), so waits on a
   * stream race this.
   */
  untilLost(): Promise<never>;
  end(): Promise<void>;
}

/**
 * One SSH session through ssh2-sftp-client: TCP connect, host key check against the pin,
 * authentication, the SFTP subsystem. Failures are classified: a refused login, key or host key is
 * TargetAuthFailed (retrying cannot fix it); an unreachable or dropping server is TargetUnavailable.
 */
export async function openSftpSession(
  settings: SftpConnectionSettings,
  vendor: string,
  signal?: AbortSignal,
): Promise<SftpSession> {
  const server = `${settings.host}:${settings.port}`;
  const socket = await connectSocket(settings.host, settings.port, server, vendor, signal);
  let closed = false;
  const lost = new Promise<never>((_resolve, reject) =>
    socket.once('close', () => {
      closed = true;
      reject(Object.assign(new Error('the connection closed'), { code: 'ERR_NOT_CONNECTED' }));
    }),
  );
  lost.catch(ignore);
  // The default callbacks log every connection event to the console.
  const client = new SftpClient('rosterflow-oneroster', { error: ignore, end: ignore, close: ignore });
  let sshError: unknown;
  let presentedHostKey: string | undefined;
  client.on('error', (err: unknown) => {
    sshError ??= err;
  });
  const abort = () => socket.destroy();
  signal?.addEventListener('abort', abort, { once: true });
  let ended: Promise<void> | undefined;
  const session: SftpSession = {
    client,
    server,
    lost: () => closed,
    untilLost: () => lost,
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

  try {
    await client.connect({
      sock: socket,
      host: settings.host,
      port: settings.port,
      username: settings.username,
      ...settings.credentials,
      readyTimeout: READY_TIMEOUT_MS,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      hostVerifier: (key: Buffer) => {
        presentedHostKey = fingerprint(key);
        return presentedHostKey === settings.hostKeySha256;
      },
    });
  } catch (err) {
    await session.end();
    if (signal?.aborted) throw signal.reason;
    throw connectFailure(err, sshError, presentedHostKey, settings, server, vendor);
  }
  return session;
}

/** The TCP connection, made here so a refusal is told apart from SSH failures. */
async function connectSocket(
  host: string,
  port: number,
  server: string,
  vendor: string,
  signal?: AbortSignal,
): Promise<Socket> {
  const socket = createConnection({ host, port });
  socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
    socket.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })),
  );
  try {
    await once(socket, 'connect', signal ? { signal } : {});
  } catch (err) {
    socket.destroy();
    if (signal?.aborted) throw signal.reason;
    throw new RosterflowError(
      'TargetUnavailable',
      `${vendor}: cannot reach the SFTP server ${server} (${errorCode(err) ?? 'connection failed'})`,
      { cause: err },
    );
  }
  socket.setTimeout(0);
  // ssh2 reports socket errors through the client; this keeps a late one from being unhandled.
  socket.on('error', ignore);
  return socket;
}

/** OpenSSH's fingerprint: SHA-256 of the key blob, base64 without padding. */
function fingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

function connectFailure(
  err: unknown,
  sshError: unknown,
  presented: string | undefined,
  settings: SftpConnectionSettings,
  server: string,
  vendor: string,
): RosterflowError {
  if (presented !== undefined && presented !== settings.hostKeySha256) {
    return new RosterflowError(
      'TargetAuthFailed',
      `${vendor}: the SFTP server ${server} presented host key SHA256:${presented}, not the pinned ` +
        `target.sftp.hostKeySha256 SHA256:${settings.hostKeySha256}; refusing to send (a replaced server or an outdated pin)`,
    );
  }
  const message = err instanceof Error ? err.message : '';
  const method = 'password' in settings.credentials ? 'password' : 'private key';
  if (levelOf(sshError) === 'client-authentication' || /authentication methods failed/i.test(message)) {
    return new RosterflowError(
      'TargetAuthFailed',
      `${vendor}: the SFTP server ${server} refused the ${method} of user "${settings.username}"`,
    );
  }
  if (/cannot parse privatekey|privatekey value/i.test(message)) {
    const why = /passphrase|decrypt|integrity/i.test(message)
      ? 'a wrong or missing target.sftp.passphrase'
      : 'not an OpenSSH, PEM or PPK private key';
    return new RosterflowError('TargetAuthFailed', `${vendor}: target.sftp.privateKey cannot be used (${why})`);
  }
  const reason =
    levelOf(sshError) === 'client-timeout'
      ? 'timed out'
      : (errorCode(sshError) ?? errorCode(err) ?? 'the server closed the connection');
  return new RosterflowError('TargetUnavailable', `${vendor}: cannot open an SFTP session with ${server} (${reason})`, {
    cause: err,
  });
}

export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

function levelOf(err: unknown): unknown {
  return (err as { level?: unknown } | undefined)?.level;
}
