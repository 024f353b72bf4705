import { z } from 'zod';

/** One config setting as `connectors list` and `targets list` show it. */
export interface ConfigField {
  name: string;
  required: boolean;
  type: string;
  secret: boolean;
  default?: unknown;
  description?: string;
}

/** A source or target as its list shows it: what it is, where its vendor documents it, its settings. */
export interface ConnectorSummary {
  type: string;
  title: string;
  docsUrl: string;
  fields: ConfigField[];
  /** The config schema as JSON Schema (input side: settings with a default are optional). */
  configSchema: JsonSchema;
}

/** The parts of a JSON Schema (draft 2020-12) that zod emits and this listing reads. */
interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
  description?: string;
}

const SECRET = 'secret (env or file)';

/** Any registered source or target: its type, title, doc link and config schema. */
export interface ConnectorDefinition {
  type: string;
  title: string;
  docsUrl: string;
  configSchema: z.ZodType;
}

export function describeConnector(definition: ConnectorDefinition): ConnectorSummary {
  // Input side: what a config file may write, so settings with a default count as optional.
  const schema = z.toJSONSchema(definition.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return {
    type: definition.type,
    title: definition.title,
    docsUrl: definition.docsUrl,
    fields: fieldsOf(schema, ''),
    configSchema: schema,
  };
}

/**
 * The settings of an object schema, nested objects (an `sftp` block, a table of column names) listed
 * after their parent as `parent.child`, so a secret or a default inside one is shown too. A nested
 * setting's `required` holds when its parent is given.
 */
function fieldsOf(schema: JsonSchema, prefix: string): ConfigField[] {
  const parts = [schema, ...(schema.allOf ?? [])];
  const required = new Set(parts.flatMap((part) => part.required ?? []));
  const properties = Object.assign({}, ...parts.map((part) => part.properties ?? {})) as Record<string, JsonSchema>;
  return Object.entries(properties).flatMap(([name, property]): ConfigField[] => {
    const secret = isSecretRef(property);
    const nested = !secret && property.properties !== undefined;
    const field: ConfigField = {
      name: `${prefix}${name}`,
      required: required.has(name),
      type: secret ? SECRET : nested ? 'object' : typeOf(property),
      secret,
      ...(property.default === undefined ? {} : { default: property.default }),
      ...(property.description ? { description: property.description } : {}),
    };
    return nested ? [field, ...fieldsOf(property, `${field.name}.`)] : [field];
  });
}

export function formatConnector(source: ConnectorSummary): string {
  const width = Math.max(...source.fields.map((field) => field.name.length));
  const fields = source.fields.map((field) => {
    const details = [
      field.type,
      ...(field.default === undefined ? [] : [`default ${JSON.stringify(field.default)}`]),
      ...(field.description ? [field.description] : []),
    ];
    return `    ${field.name.padEnd(width)}  ${field.required ? 'required' : 'optional'}  ${details.join(', ')}`;
  });
  return [`${source.type}: ${source.title}`, `  docs    ${source.docsUrl}`, '  config', ...fields].join('\n');
}

/** SecretRefSchema: `{ env: NAME }` or `{ file: PATH }`, recognised by shape so wrapped copies count too. */
function isSecretRef(schema: JsonSchema): boolean {
  const options = schema.anyOf ?? schema.oneOf;
  if (options?.length !== 2) return false;
  const keys = options.map((option) => Object.keys(option.properties ?? {}).join(',')).sort();
  return keys[0] === 'env' && keys[1] === 'file';
}

const MAX_LISTED_VALUES = 6;

/** A short human reading of a JSON Schema: `integer 1..500`, `map of string -> string`, `"hibob"`. */
function typeOf(schema: JsonSchema): string {
  if (isSecretRef(schema)) return SECRET;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) {
    const values = schema.enum.map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
    return shortList(values, ' | ', 'values');
  }
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return [...new Set(options.map(typeOf))].join(' | ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  if (types.length === 0) return 'any';
  return types.map((type) => typeNamed(type, schema)).join(' | ');
}

function typeNamed(type: string, schema: JsonSchema): string {
  switch (type) {
    case 'string':
      if (schema.format === 'uri') return 'url';
      return schema.format ? `string (${schema.format})` : 'string';
    case 'integer':
    case 'number':
      return `${type}${rangeOf(schema)}`;
    case 'array':
      return schema.items ? `list of ${typeOf(schema.items)}` : 'list';
    case 'object':
      if (schema.properties) {
        const required = new Set(schema.required ?? []);
        const keys = Object.keys(schema.properties).map((key) => (required.has(key) ? key : `${key}?`));
        return `object { ${shortList(keys, ', ', 'keys')} }`;
      }
      if (typeof schema.additionalProperties === 'object') {
        const key = schema.propertyNames ? typeOf(schema.propertyNames) : 'string';
        return `map of ${key.includes(' | ') ? `(${key})` : key} -> ${typeOf(schema.additionalProperties)}`;
      }
      return 'object';
    default:
      return type;
  }
}

/** Long enums and key lists (a column per canonical field) are cut to their first few items. */
function shortList(items: string[], separator: string, noun: string): string {
  if (items.length <= MAX_LISTED_VALUES) return items.join(separator);
  return `${items.slice(0, 3).join(separator)}${separator}... (${items.length} ${noun})`;
}

function rangeOf(schema: JsonSchema): string {
  // `z.int()` states the safe-integer range, which says nothing to a reader.
  const minimum = schema.minimum === Number.MIN_SAFE_INTEGER ? undefined : schema.minimum;
  const maximum = schema.maximum === Number.MAX_SAFE_INTEGER ? undefined : schema.maximum;
  if (minimum !== undefined && maximum !== undefined) return ` ${minimum}..${maximum}`;
  if (minimum !== undefined) return ` >= ${minimum}`;
  if (maximum !== undefined) return ` <= ${maximum}`;
  return '';
}
