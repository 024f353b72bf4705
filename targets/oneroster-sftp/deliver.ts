import type { SecretResolver } from '../../io/secrets';
import { resolveSftpSettings } from '../../io/sftp/settings';
import type { PinnedSftpSettings } from '../../io/sftp/settings';
import { RosterflowError } from '../../core/errors';
import { enabledUserEncodingOf } from './config';
import type { OneRosterSftpConfig, OneRosterTargetConfig } from './config';
import { uploadFiles } from './upload';
import type { UploadCheckpoint, UploadFile, UploadResult } from './upload';
import { checkOneRosterTexts, validateOneRosterPackage } from './validate';
import type { PackageCheck, PackageProblem } from './validate';
import { validateOneRosterStreams } from './validate-stream';
import type { PackageSource } from './validate-stream';

/** How many problems the error names; the rest are counted. */
const NAMED_PROBLEMS = 5;

/** The receiver's name in messages. */
export function oneRosterVendor(config: Pick<OneRosterTargetConfig, 'profile'>): string {
  return config.profile === 'alludo' ? 'Alludo' : 'OneRoster SFTP';
}

/** Where deliveries land, for the run record: the drop folder, never credentials. */
export function oneRosterLocation(config: Pick<OneRosterTargetConfig, 'sftp'>): string {
  const { username, host, port, directory } = config.sftp;
  return `sftp://${username}@${host}:${port}/${directory.replace(/^\/+/, '')}`;
}

/** The rendered package through the validity check with this config's profile and encoding. */
export function checkOneRosterPackage(
  config: Pick<OneRosterTargetConfig, 'profile' | 'enabledUserEncoding'>,
  files: Readonly<Record<string, string>>,
): PackageProblem[] {
  return validateOneRosterPackage(files, config.profile, { enabledUserEncoding: enabledUserEncodingOf(config) });
}

/**
 * The pre-upload gate: a package the receiver would refuse (or half-apply) is never sent. Problems
 * name files, lines, columns and ids, never names or addresses. Not retryable: the same artifacts
 * fail the same way. Reads each file as a stream, so memory does not grow with the roster.
 */
export async function assertValidOneRosterStreams(
  config: Pick<OneRosterTargetConfig, 'profile' | 'enabledUserEncoding'>,
  files: readonly PackageSource[],
  onRead?: (bytes: number) => void,
): Promise<void> {
  const check = await validateOneRosterStreams(files, config.profile, {
    enabledUserEncoding: enabledUserEncodingOf(config),
    keep: NAMED_PROBLEMS,
    ...(onRead ? { onRead } : {}),
  });
  throwIfProblems(config, check);
}

/** The same gate for a package held as texts. */
export function assertValidOneRosterPackage(
  config: Pick<OneRosterTargetConfig, 'profile' | 'enabledUserEncoding'>,
  files: Readonly<Record<string, string>>,
): void {
  const check = checkOneRosterTexts(files, config.profile, {
    enabledUserEncoding: enabledUserEncodingOf(config),
    keep: NAMED_PROBLEMS,
  });
  throwIfProblems(config, check);
}

function throwIfProblems(config: Pick<OneRosterTargetConfig, 'profile'>, { problems, count }: PackageCheck): void {
  if (count === 0) return;
  const named = problems.slice(0, NAMED_PROBLEMS).map(describeProblem).join('; ');
  const more = count > NAMED_PROBLEMS ? ` (and ${count - NAMED_PROBLEMS} more)` : '';
  throw new RosterflowError(
    'InvalidInput',
    `${oneRosterVendor(config)}: the package fails its validity check, so nothing was sent: ${named}${more}`,
  );
}

export function describeProblem(problem: PackageProblem): string {
  const where = [problem.file, problem.line === undefined ? '' : `line ${problem.line}`, problem.column ?? '']
    .filter(Boolean)
    .join(' ');
  return `${where}: ${problem.message}`;
}

/** The target's SFTP settings with their secrets read, for `uploadFiles`. */
export function resolveOneRosterSftp(
  sftp: OneRosterSftpConfig,
  resolveSecret: SecretResolver,
): Promise<PinnedSftpSettings> {
  return resolveSftpSettings(sftp, resolveSecret, 'target');
}

/**
 * One delivery attempt: reads the SFTP secrets just before use, then `uploadFiles` into the configured
 * folder. Pass the previous attempt's last checkpoint (the activity's heartbeat details) and the same
 * runId to resume.
 */
export async function uploadOneRosterPackage(options: {
  config: OneRosterTargetConfig;
  resolveSecret: SecretResolver;
  runId: string;
  files: readonly UploadFile[];
  checkpoint?: UploadCheckpoint;
  onProgress?: (checkpoint: UploadCheckpoint) => void;
  signal?: AbortSignal;
}): Promise<UploadResult> {
  const { config } = options;
  return uploadFiles({
    sftp: await resolveOneRosterSftp(config.sftp, options.resolveSecret),
    directory: config.sftp.directory,
    runId: options.runId,
    files: options.files,
    vendor: oneRosterVendor(config),
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
