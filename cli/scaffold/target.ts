import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ActivityDeps } from '../../activities/deps';
import { RosterflowError } from '../../core/errors';
import { TARGET_DEFINITIONS } from '../../targets';
import type { ScaffoldOptions, ScaffoldResult } from './generate';
import { problemWithName, scaffoldNames, targetDefinitionIdentifier, targetStepActivity } from './names';
import type { ScaffoldNames } from './names';
import { targetActivitiesTemplate } from './target-templates/activities';
import { targetClientTemplate } from './target-templates/client';
import { targetConfigTemplate } from './target-templates/config';
import { targetDefinitionTemplate } from './target-templates/definition';
import { targetFakeTemplate } from './target-templates/fake';
import { targetLayoutTemplate } from './target-templates/layout';
import { targetTestTemplate } from './target-templates/test';
import { writeGeneratedFiles } from './write-files';
import type { GeneratedFile } from './write-files';

/**
 * Everything `targets new` writes for a name: one name everywhere (type, folder, fake, test). The
 * templates under target-templates/ follow the same rules as the connectors' (see plannedFiles).
 */
export function plannedTargetFiles(names: ScaffoldNames): GeneratedFile[] {
  const folder = `targets/${names.kebab}`;
  return [
    { path: `${folder}/config.ts`, content: targetConfigTemplate(names) },
    { path: `${folder}/layout.ts`, content: targetLayoutTemplate(names) },
    { path: `${folder}/client.ts`, content: targetClientTemplate(names) },
    { path: `${folder}/activities.ts`, content: targetActivitiesTemplate(names) },
    { path: `${folder}/index.ts`, content: targetDefinitionTemplate(names) },
    { path: `test/fakes/${names.kebab}/server.ts`, content: targetFakeTemplate(names) },
    { path: `test/targets/${names.kebab}.conformance.test.ts`, content: targetTestTemplate(names) },
  ];
}

/**
 * Every activity name the registered targets give the worker (their old aliases too), each with the
 * type of the target that registers it. The factories only close over their dependencies, so a stub
 * is enough to read the names, as test/unit/target-registry.test.ts does: nothing is called.
 */
export function registeredTargetActivities(): ReadonlyMap<string, string> {
  const registered = new Map<string, string>();
  const stub = { store: {} } as ActivityDeps;
  for (const definition of TARGET_DEFINITIONS) {
    for (const name of Object.keys(definition.activities(stub))) registered.set(name, definition.type);
  }
  return registered;
}

/** Comments and string and template literals: text that declares and uses no name. */
const NOT_CODE = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\[\s\S])*`/g;

/** Whether `identifier` occurs in `source` as a name (declared, imported, exported or used), not in a comment or a string. */
export function usesIdentifier(source: string, identifier: string): boolean {
  const code = source.replace(NOT_CODE, ' ');
  return new RegExp(`(?<![\\w$])${identifier}(?![\\w$])`).test(code);
}

/**
 * Why the code generated for `names` would clash with what is registered, or undefined. Its step
 * activity must be new to the worker (createTargetActivities refuses two activities of one name,
 * aliases included), and its definition a name `targetsIndex` (the text of targets/index.ts, where
 * the printed line imports it; undefined when there is none) does not use yet.
 */
export function problemWithTargetNames(
  names: ScaffoldNames,
  registeredActivities: ReadonlyMap<string, string>,
  targetsIndex: string | undefined,
): string | undefined {
  const step = targetStepActivity(names);
  const owner = registeredActivities.get(step);
  if (owner !== undefined) {
    return `"${names.kebab}" would generate the step activity ${step}, which the ${owner} target already registers; pick another name`;
  }
  const definition = targetDefinitionIdentifier(names);
  if (targetsIndex !== undefined && usesIdentifier(targetsIndex, definition)) {
    return `"${names.kebab}" would generate the definition ${definition}, a name targets/index.ts already uses; pick another name`;
  }
  return undefined;
}

/**
 * Writes a target delivered by the shared step protocol (no workflow code of its own), its vendor
 * fake and its conformance test. Refuses a bad or taken name, and a checkout that already has any of
 * the target's folders or files, and a name whose step activity or definition would clash with a
 * registered target's (problemWithTargetNames): nothing is written unless everything can be.
 */
export async function scaffoldTarget(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const problem = problemWithName(options.name, options.takenTypes, 'target');
  if (problem) throw new RosterflowError('InvalidInput', `targets new: ${problem}`);

  const names = scaffoldNames(options.name);
  const root = resolve(options.root);
  const clash = problemWithTargetNames(names, registeredTargetActivities(), await readTargetsIndex(root));
  if (clash) throw new RosterflowError('InvalidInput', `targets new: ${clash}`);

  const claimed = [
    `targets/${names.kebab}`,
    `test/fakes/${names.kebab}`,
    `test/targets/${names.kebab}.conformance.test.ts`,
  ];
  const files = plannedTargetFiles(names);
  const { formatted } = await writeGeneratedFiles('targets new', root, claimed, files);
  return { names, files: files.map((file) => file.path), formatted };
}

/** The text of the checkout's targets/index.ts, or undefined when it has none. */
async function readTargetsIndex(root: string): Promise<string | undefined> {
  try {
    return await readFile(join(root, 'targets', 'index.ts'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
