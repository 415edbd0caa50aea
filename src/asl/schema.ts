/**
 * asl-validator (the kit's ASL validator, also the one aws-local-stepfunctions builds on) over a
 * definition whose structure already passed (scopes.ts): the values of every field (JSONPath and
 * JSONata expressions, payload templates, Retry and Catch, choice rules, Map settings), as AWS's
 * diagnostics. Its JSON-schema findings become SCHEMA_VALIDATION_FAILED at the field's location,
 * in the service's wording where it is on record ("These fields are required: [ErrorEquals]",
 * "The value for the field 'X.$' must be a valid JSONPath or a valid intrinsic function call");
 * its own codes become the closest documented ones.
 */
import aslValidator from 'asl-validator';
import { CODES, error, type Segment } from './diagnostics.ts';
import { isObject } from './states.ts';
import type { DefinitionDiagnostic } from './types.ts';

/** asl-validator's codes that have a documented counterpart; the rest are schema failures. */
const CODE_OF: Record<string, string> = {
  MISSING_TRANSITION_TARGET: CODES.missingTransitionTarget,
  BRANCH_OUTBOUND_TRANSITION_TARGET: CODES.missingTransitionTarget,
  MAP_OUTBOUND_TRANSITION_TARGET: CODES.missingTransitionTarget,
  DUPLICATE_STATE_NAMES: CODES.duplicateStateName,
  MISSING_TERMINAL_STATE: CODES.missingEndState,
};

interface AslError {
  'Error code'?: string;
  Message?: string;
  schemaError?: { instancePath: string; schemaPath: string };
}

export function checkSchema(definition: Record<string, unknown>): DefinitionDiagnostic[] {
  // It writes each state's default QueryLanguage into the object it is given.
  const { isValid, errors } = aslValidator(structuredClone(definition) as never);
  if (isValid) return [];
  const found = (errors as AslError[]).map((finding) => diagnosticOf(finding, definition));
  // A value wrong for one variant of a state makes every other variant's Type and QueryLanguage
  // "not allowed" too; scopes.ts already checked both, so those are noise beside a real finding.
  const noise = (d: DefinitionDiagnostic) => /\/(Type|QueryLanguage)$/.test(d.location ?? '') && isEnum(d);
  const real = found.filter((d) => !noise(d));
  return real.length > 0 ? real : found;
}

const ENUM_MESSAGE = 'is not one of the allowed values';
const isEnum = (d: DefinitionDiagnostic) => d.message.endsWith(ENUM_MESSAGE);

function diagnosticOf(finding: AslError, definition: Record<string, unknown>): DefinitionDiagnostic {
  const message = finding.Message ?? 'invalid';
  if (!finding.schemaError) {
    return error(CODE_OF[finding['Error code'] ?? ''] ?? CODES.schema, message);
  }
  const { path, value } = lookUp(finding.schemaError.instancePath, definition);
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
