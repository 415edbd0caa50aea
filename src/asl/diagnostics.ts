/**
 * Building diagnostics: AWS's codes (the list in the API reference's
 * ValidateStateMachineDefinitionDiagnostic), locations written as the service writes them
 * (`/States/Classify/Next`, an array item as `Catch[0]`), and the one-line form CreateStateMachine's
 * InvalidDefinition uses (`CODE: message at location`).
 */
import type { DefinitionDiagnostic } from './types.ts';

export const CODES = {
  invalidJson: 'INVALID_JSON_DESCRIPTION',
  schema: 'SCHEMA_VALIDATION_FAILED',
  invalidResource: 'INVALID_RESOURCE',
  missingEndState: 'MISSING_END_STATE',
  duplicateStateName: 'DUPLICATE_STATE_NAME',
  invalidStateName: 'INVALID_STATE_NAME',
  missingTransitionTarget: 'MISSING_TRANSITION_TARGET',
  tooDeeplyNested: 'TOO_DEEPLY_NESTED',
  noDollar: 'NO_DOLLAR',
  noPath: 'NO_PATH',
  passResultIsStatic: 'PASS_RESULT_IS_STATIC',
} as const;

/** A path into the definition: field names, and array indexes as numbers. */
export type Segment = string | number;

/** `['States', 'A', 'Catch', 0, 'Next']` → `/States/A/Catch[0]/Next`; the root is `/`. */
export function locationOf(path: readonly Segment[]): string {
  let location = '';
  for (const segment of path) location += typeof segment === 'number' ? `[${segment}]` : `/${segment}`;
  return location || '/';
}

export function error(code: string, message: string, path?: readonly Segment[]): DefinitionDiagnostic {
  return { severity: 'ERROR', code, message, ...(path ? { location: locationOf(path) } : {}) };
}

export function warning(code: string, message: string, path: readonly Segment[]): DefinitionDiagnostic {
  return { severity: 'WARNING', code, message, location: locationOf(path) };
}

/** As CreateStateMachine's InvalidDefinition message lists it. */
export function formatDiagnostic(diagnostic: DefinitionDiagnostic): string {
  const at = diagnostic.location ? ` at ${diagnostic.location}` : '';
  return `${diagnostic.code}: ${diagnostic.message}${at}`;
}
