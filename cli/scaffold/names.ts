/** The identifiers a generated connector's or target's files use, all derived from its kebab-case name (`acme-hr`). */
export interface ScaffoldNames {
  /** The folder name and the config `type`: `acme-hr`. */
  kebab: string;
  /** Types and schemas: `AcmeHr` (`AcmeHrConfigSchema`, `AcmeHrEmployeeSchema`, `AcmeHrFake`). */
  pascal: string;
  /** Values: `acmeHr` (`acmeHrSource`). */
  camel: string;
  /** Exported constants and environment variables: `ACME_HR` (`ACME_HR_TOKEN`). */
  constant: string;
  /** A placeholder vendor name for messages and titles until the author writes the real one: `Acme Hr`. */
  vendor: string;
}

const KEBAB_CASE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_LENGTH = 40;
/** Names the repository already uses for shared code next to the connectors, targets and fakes. */
const RESERVED = new Set(['sdk', 'support', 'index', 'connectors', 'targets', 'deliveries', 'test']);

/**
 * Why `name` cannot be a new connector's (`source`) or target's name, or undefined when it can.
 * `takenTypes` are the types already registered (a folder name and a type may differ: `csv-drop`
 * registers `csv`).
 */
export function problemWithName(
  name: string,
  takenTypes: readonly string[],
  kind: 'source' | 'target',
): string | undefined {
  if (!KEBAB_CASE.test(name)) {
    return `"${name}" is not a kebab-case name: lowercase letters and digits in words joined by single dashes, starting with a letter (e.g. acme-hr)`;
  }
  if (name.length > MAX_LENGTH) return `"${name}" is longer than ${MAX_LENGTH} characters`;
  if (RESERVED.has(name)) return `"${name}" is the name of shared code; pick the vendor's name`;
  if (takenTypes.includes(name)) return `"${name}" is already a registered ${kind} type`;
  return undefined;
}

export function scaffoldNames(kebab: string): ScaffoldNames {
  const words = kebab.split('-');
  const capitalised = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  const pascal = capitalised.join('');
  return {
    kebab,
    pascal,
    camel: pascal.charAt(0).toLowerCase() + pascal.slice(1),
    constant: words.map((word) => word.toUpperCase()).join('_'),
    vendor: capitalised.join(' '),
  };
}

/** The step activity a generated target registers (its activities.ts) and names as its `deliveryStep`: `deliverAcmeHr`. */
export function targetStepActivity(n: ScaffoldNames): string {
  return `deliver${n.pascal}`;
}

/** The TargetDefinition a generated target exports, which its line in targets/index.ts imports: `acmeHrTarget`. */
export function targetDefinitionIdentifier(n: ScaffoldNames): string {
  return `${n.camel}Target`;
}
