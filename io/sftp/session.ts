import type { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import SftpClient from 'ssh2-sftp-client';
import { connectFailure, unreachable } from './failures';
import type { FailureContext } from './failures';
import type { SftpConnectionSettings } from './settings';

/**
 * TCP connected, then authenticated with the SFTP subsystem started. Four attempts of a server that
 * never answers stay under the csv source's 2-minute extract heartbeat timeout.
 */
const CONNECT_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 15_000;
/** A server that stops answering mid-file is given up on after about three missed keepalives. */
const KEEPALIVE_INTERVAL_MS = 15_000;
/** How long closing waits for the server to acknowledge before the socket is simply destroyed. */
const CLOSE_WAIT_MS = 2_000;

const ignore = () => undefined;

export interface SftpSessionOptions extends FailureContext {
  signal?: AbortSignal | undefined;
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
  /** A polite disconnect, bounded in time. Safe to call more than once. */
  end(): Promise<void>;
}

/**
 * One SSH session through ssh2-sftp-client: TCP connect, host key check against the pin (when there
 * is one), authentication, the SFTP subsystem. Failures are typed for `side` and start with `prefix`:
 * a refused login, key or host key is `*AuthFailed`; an unreachable or dropping server is an
 * `SftpUnavailableError`. An abort destroys the connection and rejects with the signal's reason.
 */
export async function openSftpSession(
  settings: SftpConnectionSettings,
  options: SftpSessionOptions,
): Promise<SftpSession> {
  const { signal } = options;
  const server = `${settings.host}:${settings.port}`;
  const socket = await connectSocket(settings, server, options);
  let closed = false;
  const lost = new Promise<never>((_resolve, reject) =>
    socket.once('close', () => {
      closed = true;
      reject(Object.assign(new Error('the connection closed'), { code: 'ERR_NOT_CONNECTED' }));
    }),
  );
  lost.catch(ignore);
  // The default callbacks log every connection event to the console.
  const client = new SftpClient(`rosterflow-${options.side}`, { error: ignore, end: ignore, close: ignore });
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
        return settings.hostKeySha256 === undefined || presentedHostKey === settings.hostKeySha256;
      },
    });
  } catch (err) {
    await session.end();
    if (signal?.aborted) throw signal.reason;
    throw connectFailure(err, { settings, server, sshError, presentedHostKey }, options);
  }
  return session;
}

/** The TCP connection, made here so a refusal is told apart from SSH failures and the socket is always ours to destroy. */
async function connectSocket(
  settings: SftpConnectionSettings,
  server: string,
  options: SftpSessionOptions,
): Promise<Socket> {
  const { signal } = options;
  const socket = createConnection({ host: settings.host, port: settings.port });
  socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
    socket.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })),
  );
  try {
    await once(socket, 'connect', signal ? { signal } : {});
  } catch (err) {
    socket.destroy();
    if (signal?.aborted) throw signal.reason;
    throw unreachable(err, server, options);
  }
  socket.setTimeout(0);
  // ssh2 reports socket errors through the client; this keeps a late one from being unhandled.
  socket.on('error', ignore);
  return socket;
}

/** OpenSSH's fingerprint: SHA-256 of the key blob, base64 without padding (`ssh-keygen -lf` shows it after `SHA256:`). */
function fingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}
