/**
 * ValidateStateMachineDefinition, as the API reference documents it: request members `definition`
 * (1 to 1,048,576 characters), `type` (STANDARD | EXPRESS), `severity` (ERROR | WARNING, default
 * ERROR: only errors are listed) and `maxResults` (0 to 100, 0 meaning the default 100); the answer
 * `result` (OK | FAIL), `diagnostics` (severity, code, message, location) and `truncated`. A
 * definition that fails is an answer, not an error: only a request that breaks the model's
 * constraints is a ValidationException.
 *
 * The check is the kit's one validator (src/asl/), the deploy module's too. Asked for warnings, the
 * answer adds what the tier's engine would refuse (CreateStateMachine's InvalidDefinition on
 * `scones up`: a resource it has no local integration for), as warnings: AWS would create the
 * state machine, this tier could not run it.
 */
import { z } from 'zod';
import { CODES, type DefinitionDiagnostic, nestingDepth, validateDefinition } from '../../../asl/index.ts';
import { type Action, parse, required } from './requests.ts';
import type { SfnApiHost } from './types.ts';

const DEFAULT_MAX_RESULTS = 100;
/**
 * The engine validates with asl-validator 3 (inside aws-local-stepfunctions), whose time grows
 * exponentially with nesting (40 nested Map and Parallel states: 11 s, 22: 0.3 s): deeper
 * definitions are not put to it, so that one request cannot stall the stack.
 */
const ENGINE_CHECK_MAX_NESTING = 16;

const schema = z.object({
  definition: z.string(required()).min(1).max(1_048_576),
  type: z.enum(['STANDARD', 'EXPRESS']).optional(),
  severity: z.enum(['ERROR', 'WARNING']).optional(),
  maxResults: z.number().int().min(0).max(100).optional(),
});

export const VALIDATE_DEFINITION: Record<string, Action> = {
  ValidateStateMachineDefinition(host, request) {
    const { definition, type, severity = 'ERROR', maxResults } = parse(schema, request);
    const validation = validateDefinition(definition, { type: type ?? 'STANDARD' });
    const found = [...validation.diagnostics];
    if (severity === 'WARNING' && validation.result === 'OK') found.push(...engineWarnings(host, definition));
    const listed = severity === 'WARNING' ? found : found.filter((d) => d.severity === 'ERROR');
    const limit = maxResults || DEFAULT_MAX_RESULTS;
    return {
      result: validation.result,
      diagnostics: listed.slice(0, limit),
      truncated: listed.length > limit,
    };
  },
};

/** What the tier's engine would refuse in a definition AWS accepts. */
function engineWarnings(host: SfnApiHost, definition: string): DefinitionDiagnostic[] {
  const parsed = JSON.parse(definition) as Record<string, unknown>;
  if (nestingDepth(parsed) > ENGINE_CHECK_MAX_NESTING) return [];
  const refusal = host.engineRefusal?.(parsed);
  if (refusal === undefined) return [];
  // AWS documents no code for "this runtime cannot run it"; INVALID_RESOURCE ("the value of a
  // Task-state resource field is invalid") is the closest: the engine refuses Task resources.
  return [
    {
      severity: 'WARNING',
      code: CODES.invalidResource,
      message: `The embedded engine of scones up cannot run this definition (CreateStateMachine here would refuse it): ${refusal}`,
    },
  ];
}
