/** An environment variable's value; set-but-empty counts as unset, as `NAME= command` intends. */
export function readSetting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
