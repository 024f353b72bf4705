import { resolve } from 'node:path';
import { RosterflowError } from '../../core/errors';
import type { ScaffoldOptions, ScaffoldResult } from './generate';
import { problemWithName, scaffoldNames } from './names';
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
 * Writes a target delivered by the shared step protocol (no workflow code of its own), its vendor
 * fake and its conformance test. Refuses a bad or taken name, and a checkout that already has any of
 * the target's folders or files: nothing is written unless everything can be.
 */
export async function scaffoldTarget(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const problem = problemWithName(options.name, options.takenTypes, 'target');
  if (problem) throw new RosterflowError('InvalidInput', `targets new: ${problem}`);

  const names = scaffoldNames(options.name);
  const claimed = [
    `targets/${names.kebab}`,
    `test/fakes/${names.kebab}`,
    `test/targets/${names.kebab}.conformance.test.ts`,
  ];
  const files = plannedTargetFiles(names);
  const { formatted } = await writeGeneratedFiles('targets new', resolve(options.root), claimed, files);
  return { names, files: files.map((file) => file.path), formatted };
}
