import { userInfo } from 'node:os';

/** Who runs the command, for a pause note: `--by`, else the OS user name. */
export function operatorName(by: string | undefined): string {
  if (by !== undefined && by.trim() !== '') return by.trim();
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? 'an unknown user';
  }
}
