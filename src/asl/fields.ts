/**
 * The fields each state type takes in each query language, read from asl-validator's own JSON
 * schemas (one `oneOf` branch per language, `additionalProperties: false`), so the field check here
 * and the schema check that follows it (schema.ts) never disagree. JSONata states take `Arguments`,
 * `Output`, `Items` and expressions where JSONPath states take `Parameters`, `*Path` fields and
 * `ResultSelector`; both take `Assign`.
 */
import { createRequire } from 'node:module';
import type { QueryLanguage } from './types.ts';

export const STATE_TYPES = ['Choice', 'Fail', 'Map', 'Parallel', 'Pass', 'Succeed', 'Task', 'Wait'] as const;
export type StateType = (typeof STATE_TYPES)[number];

/**
 * Where asl-validator 4 is laxer than the service: it lets a Choice state carry `End`, which AWS
 * refuses ("Choice states don't support the End field", ASL spec, Choice State).
 */
const NOT_ON_AWS: Partial<Record<StateType, readonly string[]>> = { Choice: ['End'] };

interface SchemaBranch {
  properties?: Record<string, { $ref?: string }>;
}

let cached: Record<StateType, Record<QueryLanguage, ReadonlySet<string>>> | undefined;
let cachedRoot: ReadonlySet<string> | undefined;

const schemaOf = (file: string): unknown =>
  createRequire(import.meta.url)(`asl-validator/dist/src/schemas/${file}.json`);

function load(): Record<StateType, Record<QueryLanguage, ReadonlySet<string>>> {
  const fields = {} as Record<StateType, Record<QueryLanguage, ReadonlySet<string>>>;
  for (const type of STATE_TYPES) {
    const schema = schemaOf(type.toLowerCase()) as { oneOf: SchemaBranch[] };
    const byLanguage = {} as Record<QueryLanguage, ReadonlySet<string>>;
    for (const branch of schema.oneOf) {
      const properties = branch.properties ?? {};
      // The JSONata branch's QueryLanguage is defined in jsonata.json, the JSONPath one's in paths.json.
      const language: QueryLanguage = properties.QueryLanguage?.$ref?.startsWith('jsonata.json')
        ? 'JSONata'
        : 'JSONPath';
      const names = Object.keys(properties).filter((name) => !NOT_ON_AWS[type]?.includes(name));
      byLanguage[language] = new Set(names);
    }
    if (!byLanguage.JSONata || !byLanguage.JSONPath) {
      throw new Error(
        `asl-validator's ${type} schema has no JSONPath and JSONata variants to read fields from`,
      );
    }
    fields[type] = byLanguage;
  }
  return fields;
}

/** The fields a state of this type takes in this query language. */
export function fieldsOf(type: StateType, language: QueryLanguage): ReadonlySet<string> {
  cached ??= load();
  return cached[type][language];
}

/** The fields a definition takes at its top (StartAt, States, Comment, Version, TimeoutSeconds, QueryLanguage). */
export function rootFields(): ReadonlySet<string> {
  cachedRoot ??= new Set(Object.keys((schemaOf('state-machine') as SchemaBranch).properties ?? {}));
  return cachedRoot;
}

export function isStateType(value: unknown): value is StateType {
  return typeof value === 'string' && (STATE_TYPES as readonly string[]).includes(value);
}
