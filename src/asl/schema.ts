/**
 * asl-validator (the kit's ASL validator, also the one aws-local-stepfunctions builds on) over a
 * definition whose structure already passed (scopes.ts): the values of every field (JSONPath and
 * JSONata expressions, payload templates, Retry and Catch, choice rules, Map settings), as AWS's
 * diagnostics. Its JSON-schema findings become SCHEMA_VALIDATION_FAILED at the field's location,
 * in the service's wording where it is on record ("These fields are required: [ErrorEquals]",
 * "The value for the field 'X.$' must be a valid JSONPath or a valid intrinsic function call");
 * its own codes become the closest documented ones.
 *
 * It sees the definition flattened: every state of every scope at the top (names are unique, the
 * structure check saw to it), each Parallel branch and Map ItemProcessor reduced to a one-state stub.
 * Given the nesting as it is, its schema tries each state both as JSONPath and as JSONata, nested
 * states included, so its time doubles with each level (22 nested Parallels: 20 s); flat, it grows
 * with the number of states. Transitions, reachability, terminal states and duplicate names are
 * the structure check's (scopes.ts), so its findings on those, about the flat copy, are dropped.
 */
import aslValidator from 'asl-validator';
import { CODES, error, type Segment } from './diagnostics.ts';
import { allStates } from './scopes.ts';
import { isObject } from './states.ts';
import type { DefinitionDiagnostic } from './types.ts';

/** asl-validator's checks of the flat copy's transitions and names: scopes.ts checks the real ones. */
const STRUCTURAL = new Set([
  'MISSING_TRANSITION_TARGET',
  'BRANCH_OUTBOUND_TRANSITION_TARGET',
  'MAP_OUTBOUND_TRANSITION_TARGET',
  'DUPLICATE_STATE_NAMES',
  'MISSING_TERMINAL_STATE',
]);

/** Where each state of the flat copy is in the definition. */
type Paths = Map<string, Segment[]>;

interface AslError {
  'Error code'?: string;
  Message?: string;
  schemaError?: { instancePath: string; schemaPath: string };
}

export function checkSchema(definition: Record<string, unknown>): DefinitionDiagnostic[] {
  const { flat, paths } = flatten(definition);
  const { isValid, errors } = aslValidator(flat as never);
  if (isValid) return [];
  const found = (errors as AslError[])
    .filter((finding) => !STRUCTURAL.has(finding['Error code'] ?? ''))
    .map((finding) => diagnosticOf(finding, flat, paths));
  // A value wrong for one variant of a state makes every other variant's Type and QueryLanguage
  // "not allowed" too; scopes.ts already checked both, so those are noise beside a real finding.
  const noise = (d: DefinitionDiagnostic) => /\/(Type|QueryLanguage)$/.test(d.location ?? '') && isEnum(d);
  const real = found.filter((d) => !noise(d));
  return real.length > 0 ? real : found;
}

const ENUM_MESSAGE = 'is not one of the allowed values';
const isEnum = (d: DefinitionDiagnostic) => d.message.endsWith(ENUM_MESSAGE);

/**
 * The definition with every state at the top, each a shallow copy (asl-validator writes its default
 * QueryLanguage into the states it is given), nested scopes stubbed.
 */
function flatten(definition: Record<string, unknown>): { flat: Record<string, unknown>; paths: Paths } {
  const all = [...allStates(definition)];
  const paths: Paths = new Map(all.map(([, path]) => [path.at(-1) as string, path]));
  // A nested scope's one state: a name no state has.
  let stub = '\u0000';
  while (paths.has(stub)) stub += '\u0000';
  const states = Object.fromEntries(all.map(([state, path]) => [path.at(-1), stubbed(state, stub)]));
  return { flat: { ...definition, States: states }, paths };
}

function stubbed(state: Record<string, unknown>, name: string): Record<string, unknown> {
  const stub = (scope: unknown) =>
    isObject(scope) ? { ...scope, StartAt: name, States: { [name]: { Type: 'Succeed' } } } : scope;
  const copy = { ...state };
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) copy.Branches = state.Branches.map(stub);
  if (state.Type === 'Map') {
    for (const field of ['ItemProcessor', 'Iterator']) if (field in state) copy[field] = stub(state[field]);
  }
  return copy;
}

function diagnosticOf(finding: AslError, flat: Record<string, unknown>, paths: Paths): DefinitionDiagnostic {
  const message = finding.Message ?? 'invalid';
  if (!finding.schemaError) {
    // Its state checks name the state: `State "X" MUST contain at most one of ...`.
    const state = /State "([^"]+)"/.exec(message)?.[1];
    return error(CODES.schema, message, state === undefined ? undefined : paths.get(state));
  }
  const found = lookUp(finding.schemaError.instancePath, flat);
  const [top, name, ...rest] = found.path;
  const path =
    top === 'States' && paths.has(name as string)
      ? [...(paths.get(name as string) ?? []), ...rest]
      : found.path;
  const { value } = found;
  const field = String(path.findLast((segment) => typeof segment === 'string') ?? 'definition');
  // Its messages read "<path> is invalid. <ajv's message>".
  const problem = message.replace(/^.*? is invalid\. /, '');
  return error(CODES.schema, wording(problem, field, value), path);
}

function wording(problem: string, field: string, value: unknown): string {
  const expression = typeof value === 'string' && value.trim().startsWith('{%');
  const required = /^must have required property '(.+)'$/.exec(problem);
  if (required) return `These fields are required: [${required[1]}]`;
  const format = /^must match format "(\w+)"$/.exec(problem)?.[1];
  if (format === 'asl_payload_template') {
    return `The value for the field '${field}' must be a valid JSONPath or a valid intrinsic function call`;
  }
  if (format?.startsWith('asl_')) return `The value for the field '${field}' must be a valid JSONPath`;
  if (format === 'jsonata_string' || (expression && problem.includes('oneOf'))) {
    return `The value for the field '${field}' must be a valid JSONata expression ({% ... %})`;
  }
  if (problem === 'must be equal to one of the allowed values') {
    return `The value for the field '${field}' ${ENUM_MESSAGE}`;
  }
  if (problem === 'must match exactly one schema in oneOf') {
    return `The value for the field '${field}' is not valid`;
  }
  return `The value for the field '${field}' ${problem}`;
}

/** A JSON pointer's value and path segments, array indexes as numbers. */
function lookUp(pointer: string, definition: Record<string, unknown>): { path: Segment[]; value: unknown } {
  const segments: Segment[] = [];
  let node: unknown = definition;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) {
      segments.push(Number(key));
      node = node[Number(key)];
    } else {
      segments.push(key);
      node = isObject(node) ? node[key] : undefined;
    }
  }
  return { path: segments, value: node };
}
