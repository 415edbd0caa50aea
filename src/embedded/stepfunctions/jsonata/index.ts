export { QueryEvaluationError, VariableLimitError } from './errors.ts';
export { type QueryLanguage, resolveQueryLanguages, usesJsonata } from './query-language.ts';
export { installJsonata } from './state-executor.ts';
export { ASSIGN_LIMIT_BYTES, EXECUTION_VARIABLES_LIMIT_BYTES, VARIABLE_LIMIT_BYTES } from './variables.ts';
