export { CODES, formatDiagnostic } from './diagnostics.ts';
export { InvalidDefinitionError, type RefusedDefinition } from './errors.ts';
export { nestingDepth } from './scopes.ts';
export type * from './types.ts';
export { validateDefinition, validateDefinitionObject } from './validate.ts';
