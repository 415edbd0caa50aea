/**
 * Shapes of the ASL validator, as Step Functions' ValidateStateMachineDefinition answers them
 * (API reference: ValidateStateMachineDefinitionDiagnostic, ValidateStateMachineDefinitionOutput).
 */

export type DiagnosticSeverity = 'ERROR' | 'WARNING';

/** One finding: ERROR prevents creating the state machine, WARNING does not. */
export interface DefinitionDiagnostic {
  severity: DiagnosticSeverity;
  /** AWS's documented codes (SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, ...). */
  code: string;
  message: string;
  /** Where in the definition, as AWS writes it: `/States/<State>/<Field>`, `Catch[0]` for an item. */
  location?: string;
}

export interface DefinitionValidation {
  /** FAIL when any diagnostic is an ERROR; warnings leave it OK. */
  result: 'OK' | 'FAIL';
  /** Every finding, errors first. */
  diagnostics: readonly DefinitionDiagnostic[];
}

export type StateMachineType = 'STANDARD' | 'EXPRESS';

export type QueryLanguage = 'JSONPath' | 'JSONata';

export interface ValidateOptions {
  /** The target type: EXPRESS refuses `.sync` and `.waitForTaskToken` Tasks. Default STANDARD. */
  type?: StateMachineType;
}
