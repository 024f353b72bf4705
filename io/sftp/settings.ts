import { RosterflowError } from '../../core/errors';
import type { Side } from '../../core/errors';
import type { SecretResolver } from '../secrets';
import type { SftpLoginConfig } from './config';

/** Whose connection this is: it names the config (`source.sftp`, `target.sftp`) and types the errors. */
export type SftpSide = Side;

export type SftpCredentials = { password: string } | { privateKey: string; passphrase?: string };

/** Everything needed to connect, secrets already read. */
export interface SftpConnectionSettings {
  host: string;
  port: number;
  username: string;
  /**
   * The pinned host key's SHA-256 fingerprint, bare base64 without padding (as the config stores it).
   * Without one any host key is accepted.
   */
  hostKeySha256?: string | undefined;
  credentials: SftpCredentials;
}

/** Settings with a pin: what a target takes, as it must never send data to a server it does not trust. */
export type PinnedSftpSettings = SftpConnectionSettings & { hostKeySha256: string };

/**
 * Reads the configured secrets just before use; they are never logged or put in an error. A pinned
 * config gives pinned settings.
 */
export function resolveSftpSettings(
  sftp: SftpLoginConfig & { hostKeySha256: string },
  resolveSecret: SecretResolver,
  side: SftpSide,
): Promise<PinnedSftpSettings>;
export function resolveSftpSettings(
  sftp: SftpLoginConfig,
  resolveSecret: SecretResolver,
  side: SftpSide,
): Promise<SftpConnectionSettings>;
export async function resolveSftpSettings(
  sftp: SftpLoginConfig,
  resolveSecret: SecretResolver,
  side: SftpSide,
): Promise<SftpConnectionSettings> {
  const base = { host: sftp.host, port: sftp.port, username: sftp.username, hostKeySha256: sftp.hostKeySha256 };
  if (sftp.password)
    return { ...base, credentials: { password: await resolveSecret(sftp.password, `${side}.sftp.password`) } };
  if (!sftp.privateKey) throw new RosterflowError('InvalidConfig', `${side}.sftp needs a password or a privateKey`);
  const privateKey = await resolveSecret(sftp.privateKey, `${side}.sftp.privateKey`);
  if (!sftp.passphrase) return { ...base, credentials: { privateKey } };
  const passphrase = await resolveSecret(sftp.passphrase, `${side}.sftp.passphrase`);
  return { ...base, credentials: { privateKey, passphrase } };
}
