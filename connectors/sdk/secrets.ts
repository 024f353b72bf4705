import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { RosterflowError } from '../../core/errors';

/**
 * A secret is never written in the config file itself: the config names where to read it, an
 * environment variable or a file (a mounted Kubernetes/Docker secret). It is read only inside
 * activities, just before use, and never logged, recorded or put in an error message.
 */
export const SecretRefSchema = z.union([
  z
    .object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' }) })
    .strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof SecretRefSchema>;

/** Where a secret comes from, for messages: `env RF_TOKEN` or `file /run/secrets/token`; never its value. */
export function describeSecret(ref: SecretRef): string {
  return 'env' in ref ? `environment variable ${ref.env}` : `file ${ref.file}`;
}

export type SecretResolver = (ref: SecretRef, setting: string) => Promise<string>;

/** Reads secrets from the process environment and the file system. */
export function createSecretResolver(env: NodeJS.ProcessEnv = process.env): SecretResolver {
  return async (ref, setting) => {
    if ('env' in ref) {
      const value = env[ref.env];
      if (!value) throw unavailable(setting, ref, 'is not set');
      return value;
    }
    let value: string;
    try {
      value = await readFile(ref.file, 'utf8');
    } catch (err) {
      throw unavailable(setting, ref, `cannot be read (${String((err as { code?: unknown }).code)})`);
    }
    // Files written by `echo` or editors end with a newline that is not part of the secret.
    value = value.replace(/\r?\n$/, '');
    if (!value) throw unavailable(setting, ref, 'is empty');
    return value;
  };
}

function unavailable(setting: string, ref: SecretRef, why: string): RosterflowError {
  return new RosterflowError('SecretUnavailable', `${setting}: the secret's ${describeSecret(ref)} ${why}`);
}

/** A secret reference found in a sync's settings, with the setting that holds it (`target.apiToken`). */
export interface SecretSetting {
  setting: string;
  ref: SecretRef;
}

/** Every secret reference under a config value, found by shape (`{ env }` or `{ file }`) at any depth. */
export function findSecretRefs(value: unknown, setting: string): SecretSetting[] {
  const asRef = SecretRefSchema.safeParse(value);
  if (asRef.success) return [{ setting, ref: asRef.data }];
  if (Array.isArray(value)) return value.flatMap((item, index) => findSecretRefs(item, `${setting}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => findSecretRefs(item, `${setting}.${key}`));
}

/**
 * Reads each secret (and drops its value) to find those that cannot be read here: one sentence each,
 * `target.apiToken: set STAFFBASE_API_TOKEN where the worker runs`. Never the value.
 */
export async function unreadableSecrets(secrets: SecretSetting[], resolveSecret: SecretResolver): Promise<string[]> {
  const problems: string[] = [];
  for (const { setting, ref } of secrets) {
    try {
      await resolveSecret(ref, setting);
    } catch (err) {
      if (!(err instanceof RosterflowError) || err.type !== 'SecretUnavailable') throw err;
      problems.push(
        'env' in ref ? `${setting}: set ${ref.env} where the worker runs` : `${err.message} where the worker runs`,
      );
    }
  }
  return problems;
}
