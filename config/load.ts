import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { $ZodObject, $ZodRecord } from 'zod/v4/core';
import { didYouMean } from '../core/closest-name';
import { RosterflowError } from '../core/errors';
import { RosterflowConfigSchema } from './schema';
import type { RosterflowConfig, SyncConfig } from './schema';

/**
 * Reads, parses and validates a config file. Every problem is reported at once, each naming its
 * setting (`syncs[0] "acme-people".source.path: ...`). Relative paths become absolute against the
 * config file's folder, so the worker and the CLI agree whatever their working directory.
 */
export async function loadConfig(path: string): Promise<RosterflowConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${String(code)})`;
    throw new RosterflowError('InvalidConfig', `Config file ${path} ${why}`);
  }

  // `merge` accepts YAML merge keys (`<<: *base`), so syncs can share a block of settings.
  const document = parseDocument(text, { prettyErrors: true, merge: true });
  const [first] = document.errors;
  if (first) {
    // With prettyErrors the message names the line and column and shows the line with a caret under the mistake.
    throw new RosterflowError('InvalidConfig', `Config file ${path} is not valid YAML: ${first.message}`);
  }
  const raw = withoutExtensionKeys(document.toJS());

  const parsed = RosterflowConfigSchema.safeParse(raw, { error: suggestKnownKey });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${describePath(issue.path, raw)}: ${issue.message}`);
    throw new RosterflowError('InvalidConfig', `Config file ${path} is invalid:\n${lines.join('\n')}`);
  }
  return resolvePaths(parsed.data, dirname(resolve(path)));
}

/**
 * Top-level keys starting with `x-` are left out, as in Compose files: a place to define a block
 * once (`x-acme-source: &acme-source`) for syncs to merge in (`<<: *acme-source`).
 */
function withoutExtensionKeys(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith('x-')));
}

export function findSync(config: RosterflowConfig, syncId: string, configPath: string): SyncConfig {
  const sync = config.syncs.find((candidate) => candidate.id === syncId);
  if (!sync) {
    const known = config.syncs.map((candidate) => candidate.id).join(', ');
    throw new RosterflowError('UnknownSync', `No sync "${syncId}" in ${configPath} (it declares: ${known})`);
  }
  return sync;
}

/**
 * An unknown key in a strict object, or an unknown `type` of source or target, is answered with the
 * closest name that object knows. Other issues keep the message their schema gives them.
 */
function suggestKnownKey(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(issue.inst);
    const keys = issue.keys.map((key) => `"${key}"${didYouMean(key, known)}`);
    return `Unrecognized key${keys.length === 1 ? '' : 's'}: ${keys.join(', ')}`;
  }
  if (issue.code === 'invalid_union' && typeof issue['discriminator'] === 'string' && Array.isArray(issue['options'])) {
    const options = issue['options'].map(String);
    const value = (issue.input as Record<string, unknown> | undefined)?.[issue['discriminator']];
    const given = typeof value === 'string' ? didYouMean(value, options) : '';
    return `must be one of ${options.map((option) => `"${option}"`).join(', ')}${given}`;
  }
  return undefined;
}

/** The keys a strict object declares, or those a record's enumerated key schema allows. */
function knownKeys(schema: z.core.$ZodRawIssue['inst']): string[] {
  if (schema instanceof $ZodObject) return Object.keys(schema._zod.def.shape);
  if (schema instanceof $ZodRecord) return [...(schema._zod.def.keyType._zod.values ?? [])].map(String);
  return [];
}

/** `syncs[1] "acme-people".target.columns[0].field`, naming the sync by its id when it has one. */
function describePath(path: z.core.$ZodIssue['path'], raw: unknown): string {
  if (path.length === 0) return '(top level)';
  let text = '';
  path.forEach((key, depth) => {
    if (typeof key === 'number') text += `[${key}]`;
    else text += `${depth === 0 ? '' : '.'}${String(key)}`;
    if (depth === 1 && path[0] === 'syncs' && typeof key === 'number') {
      const id = (raw as { syncs?: { id?: unknown }[] }).syncs?.[key]?.id;
      if (typeof id === 'string') text += ` "${id}"`;
    }
  });
  return text;
}

function resolvePaths(config: RosterflowConfig, baseDir: string): RosterflowConfig {
  return {
    ...config,
    syncs: config.syncs.map((sync) => ({
      ...sync,
      // A CSV drop read over SFTP names a remote path, which stays as written.
      source:
        sync.source.type === 'csv' && sync.source.sftp === undefined
          ? { ...sync.source, path: resolve(baseDir, sync.source.path) }
          : sync.source,
      target:
        sync.target.type === 'csv-file' ? { ...sync.target, path: resolve(baseDir, sync.target.path) } : sync.target,
    })),
  };
}
