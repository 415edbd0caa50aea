/**
 * The kit's one check of a state machine definition, what Step Functions' ValidateStateMachineDefinition
 * answers: the text as JSON (parse.ts), the structure scope by scope (scopes.ts, states.ts), then,
 * once the structure holds, every field's value (schema.ts: asl-validator), and the documented
 * warnings (warnings.ts). `scones up` serves it as the API; the deploy module runs it on every
 * definition before it creates anything; CreateStateMachine on `scones up` refuses with it.
 *
 * Pure and deterministic, so results are remembered by content (asl-validator compiles its
 * schemas on every call: ~100 ms a definition).
 */
import { createHash } from 'node:crypto';
import { parseDefinition } from './parse.ts';
import { checkSchema } from './schema.ts';
import { checkStructure } from './scopes.ts';
import type { DefinitionDiagnostic, DefinitionValidation, ValidateOptions } from './types.ts';
import { checkWarnings } from './warnings.ts';

const REMEMBERED = 64;
const remembered = new Map<string, DefinitionValidation>();

/** Validates a definition as sent to the API (JSON text). */
export function validateDefinition(text: string, options: ValidateOptions = {}): DefinitionValidation {
  const key = createHash('sha256')
    .update(`${options.type ?? 'STANDARD'}\n`)
    .update(text)
    .digest('hex');
  const known = remembered.get(key);
  if (known) return known;
  const validation = check(text, options);
  remembered.set(key, validation);
  if (remembered.size > REMEMBERED) remembered.delete(remembered.keys().next().value as string);
  return validation;
}

/** Validates a parsed definition (what the kit renders from statemachine/). */
export function validateDefinitionObject(
  definition: Record<string, unknown>,
  options: ValidateOptions = {},
): DefinitionValidation {
  return validateDefinition(JSON.stringify(definition), options);
}

function check(text: string, options: ValidateOptions): DefinitionValidation {
  const parsed = parseDefinition(text);
  if ('diagnostic' in parsed) return outcome([parsed.diagnostic]);
  const { definition } = parsed;
  let errors = checkStructure(definition, options);
  if (errors.length === 0) errors = checkSchema(definition);
  return outcome([...errors, ...checkWarnings(definition)]);
}

function outcome(diagnostics: DefinitionDiagnostic[]): DefinitionValidation {
  const errors = diagnostics.filter((d) => d.severity === 'ERROR');
  return Object.freeze({
    result: errors.length > 0 ? 'FAIL' : 'OK',
    diagnostics: Object.freeze([...errors, ...diagnostics.filter((d) => d.severity !== 'ERROR')]),
  });
}
