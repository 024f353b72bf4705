import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import * as core from 'zod/v4/core';
import { RosterflowError } from '../core/errors';

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

/**
 * Every secret reference a parsed config value holds, found by walking its schema alongside it: a
 * value counts only where the schema declares SecretRefSchema, so a map that happens to have a key
 * `file` or `env` (a custom field of that name) is never mistaken for a secret.
 */
export function findSecretRefs(schema: core.$ZodType, value: unknown, setting: string): SecretSetting[] {
  if (schema === SecretRefSchema) {
    const ref = SecretRefSchema.safeParse(value);
    return ref.success ? [{ setting, ref: ref.data }] : [];
  }
  const found = innerSchemas(schema, value, setting).flatMap(([inner, item, at]) => findSecretRefs(inner, item, at));
  // A union's options may declare the same setting; report it once.
  return found.filter((secret, index) => found.findIndex((other) => other.setting === secret.setting) === index);
}

/** The schemas one level down, each with the part of the value it describes and that part's setting. */
function innerSchemas(schema: core.$ZodType, value: unknown, setting: string): [core.$ZodType, unknown, string][] {
  const entries = (item: unknown) => (typeof item === 'object' && item !== null ? Object.entries(item) : []);
  if (schema instanceof core.$ZodObject) {
    const shape = schema._zod.def.shape;
    return entries(value).flatMap(([key, item]) => (shape[key] ? [[shape[key], item, `${setting}.${key}`]] : []));
  }
  if (schema instanceof core.$ZodRecord) {
    return entries(value).map(([key, item]) => [schema._zod.def.valueType, item, `${setting}.${key}`]);
  }
  if (schema instanceof core.$ZodArray) {
    const items: unknown[] = Array.isArray(value) ? value : [];
    return items.map((item, index) => [schema._zod.def.element, item, `${setting}[${index}]`]);
  }
  if (schema instanceof core.$ZodUnion) return schema._zod.def.options.map((option) => [option, value, setting]);
  if (schema instanceof core.$ZodIntersection) {
    return [schema._zod.def.left, schema._zod.def.right].map((side) => [side, value, setting]);
  }
  if (schema instanceof core.$ZodPipe) return [[schema._zod.def.in, value, setting]];
  if (schema instanceof core.$ZodLazy) return [[schema._zod.def.getter(), value, setting]];
  const def = schema._zod.def as { innerType?: core.$ZodType };
  // optional, nullable, default, prefault, readonly, catch, nonoptional: one schema wrapped.
  return def.innerType ? [[def.innerType, value, setting]] : [];
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
