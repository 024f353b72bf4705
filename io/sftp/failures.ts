import { RosterflowError, remoteErrorType } from '../../core/errors';
import type { SftpConnectionSettings, SftpSide } from './settings';

/** SFTP status codes (draft-ietf-secsh-filexfer-02 section 7). */
export const SFTP_NO_SUCH_FILE = 2;
export const SFTP_PERMISSION_DENIED = 3;

/** Who is failing, for the error's type and the start of its message. */
export interface FailureContext {
  side: SftpSide;
  /** Starts every message, e.g. `csv source` or `Alludo`. */
  prefix: string;
}

/** What a failed connect left behind, to tell its cause. */
export interface ConnectAttempt {
  settings: SftpConnectionSettings;
  /** `host:port`. */
  server: string;
  /** The first error ssh2 raised, which keeps its `level` (ssh2-sftp-client's wrapper drops it). */
  sshError: unknown;
  /** The fingerprint of the host key the server presented, once it has. */
  presentedHostKey: string | undefined;
}

/**
 * A server that could not be reached or dropped the connection before the session was up: retrying
 * may cure it. `problem` is the message without its prefix, for a caller that retries in-process
 * and words the final failure itself.
 */
export class SftpUnavailableError extends RosterflowError {
  readonly problem: string;

  constructor(context: FailureContext, problem: string, cause: unknown) {
    super(remoteErrorType(context.side, 'Unavailable'), `${context.prefix}: ${problem}`, { cause });
    this.problem = problem;
  }
}

/** The TCP connection failed: refused, reset or timed out. */
export function unreachable(err: unknown, server: string, context: FailureContext): SftpUnavailableError {
  return new SftpUnavailableError(
    context,
    `cannot reach the SFTP server ${server} (${errorCode(err) ?? 'connection failed'})`,
    err,
  );
}

/**
 * Why the SSH session could not be set up. A refused login, key or host key is `*AuthFailed`
 * (retrying cannot fix it); a server that times out or drops the connection is unavailable.
 */
export function connectFailure(err: unknown, attempt: ConnectAttempt, context: FailureContext): RosterflowError {
  const { settings, server, sshError, presentedHostKey } = attempt;
  const { side, prefix } = context;
  const pin = settings.hostKeySha256;
  if (pin !== undefined && presentedHostKey !== undefined && presentedHostKey !== pin) {
    // A source refuses to read from the server, a target to send employee data to it.
    const refused = side === 'source' ? 'connect' : 'send';
    return new RosterflowError(
      remoteErrorType(side, 'AuthFailed'),
      `${prefix}: the SFTP server ${server} presented host key SHA256:${presentedHostKey}, not the pinned ` +
        `${side}.sftp.hostKeySha256 SHA256:${pin}; refusing to ${refused} (a replaced server or an outdated pin)`,
    );
  }
  const message = err instanceof Error ? err.message : '';
  const method = 'password' in settings.credentials ? 'password' : 'private key';
  if (levelOf(sshError) === 'client-authentication' || /authentication methods failed/i.test(message)) {
    return new RosterflowError(
      remoteErrorType(side, 'AuthFailed'),
      `${prefix}: the SFTP server ${server} refused the ${method} of user "${settings.username}"`,
    );
  }
  if (/cannot parse privatekey|privatekey value/i.test(message)) {
    const why = /passphrase|decrypt|integrity/i.test(message)
      ? `a wrong or missing ${side}.sftp.passphrase`
      : 'not an OpenSSH, PEM or PPK private key';
    return new RosterflowError(
      remoteErrorType(side, 'AuthFailed'),
      `${prefix}: ${side}.sftp.privateKey cannot be used (${why})`,
    );
  }
  const reason =
    levelOf(sshError) === 'client-timeout'
      ? 'timed out'
      : (errorCode(sshError) ?? errorCode(err) ?? 'the server closed the connection');
  return new SftpUnavailableError(context, `cannot open an SFTP session with ${server} (${reason})`, err);
}

/** A Node system error code such as `ECONNRESET`, the mark of a connection-level failure. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/** `SourceAuthFailed` or `TargetAuthFailed`, and so on. */

function levelOf(err: unknown): unknown {
  return (err as { level?: unknown } | undefined)?.level;
}
