/** What the kit throws for a definition that fails validation. */
import { formatDiagnostic } from './diagnostics.ts';
import type { DefinitionDiagnostic } from './types.ts';

export interface RefusedDefinition {
  /** Which definition: its file, or its state machine's name. */
  source: string;
  diagnostics: readonly DefinitionDiagnostic[];
}

/** One or more definitions have ERROR diagnostics; each is listed as CreateStateMachine would word it. */
export class InvalidDefinitionError extends Error {
  override name = 'InvalidDefinitionError';
  readonly refused: readonly RefusedDefinition[];

  constructor(refused: readonly RefusedDefinition[]) {
    const lines = refused.flatMap(({ source, diagnostics }) => [
      `${source}:`,
      ...diagnostics.filter((d) => d.severity === 'ERROR').map((d) => `  ${formatDiagnostic(d)}`),
    ]);
    super(`Invalid state machine definition${refused.length === 1 ? '' : 's'}:\n${lines.join('\n')}`);
    this.refused = refused;
  }
}
