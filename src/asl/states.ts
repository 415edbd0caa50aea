/**
 * One state's own checks, in the service's words where its answers are on record: the state's
 * `Type` and `QueryLanguage`, the fields its type takes in its query language ("Field 'X' is not
 * supported"), its required fields ("These fields are required: [Resource]"), `Next` or `End`, and a
 * Task's `Resource` ("Value is not a valid resource ARN"; on an EXPRESS state machine no `.sync` or
 * `.waitForTaskToken`). Transitions between states are scopes.ts' business.
 */
import { CODES, error, type Segment } from './diagnostics.ts';
import { fieldsOf, isStateType, STATE_TYPES, type StateType } from './fields.ts';
import type { DefinitionDiagnostic, QueryLanguage, StateMachineType } from './types.ts';

export interface StateContext {
  /** The definition's QueryLanguage (default JSONPath): nested states inherit it, not their parent's. */
  rootLanguage: QueryLanguage;
  type: StateMachineType;
}

const LANGUAGES: readonly string[] = ['JSONPath', 'JSONata'];
/** Types that end a branch themselves and so take neither Next nor End. */
const SELF_TERMINAL: readonly StateType[] = ['Choice', 'Succeed', 'Fail'];
const REQUIRED: Partial<Record<StateType, readonly string[]>> = {
  Task: ['Resource'],
  Choice: ['Choices'],
  Parallel: ['Branches'],
};
/** An ARN: `arn:partition:service:region:account:resource`, region and account may be empty. */
const ARN = /^arn:[\w-]+:[\w-]+:[\w-]*:\d*:.+$/;

export const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The query language a state's expressions are in: its own, else the definition's. */
export function languageOf(state: Record<string, unknown>, rootLanguage: QueryLanguage): QueryLanguage {
  return state.QueryLanguage === 'JSONata' || state.QueryLanguage === 'JSONPath'
    ? state.QueryLanguage
    : rootLanguage;
}

export function checkState(state: unknown, path: Segment[], context: StateContext): DefinitionDiagnostic[] {
  if (!isObject(state)) return [error(CODES.schema, 'A state must be a JSON object', path)];
  if (state.Type === undefined) return [error(CODES.schema, 'These fields are required: [Type]', path)];
  if (!isStateType(state.Type)) {
    // AWS documents no wording for an unknown type; the value and the valid ones say enough.
    return [
      error(
        CODES.schema,
        `Value is not a valid state type: ${JSON.stringify(state.Type)} (one of ${STATE_TYPES.join(', ')})`,
        [...path, 'Type'],
      ),
    ];
  }
  const type = state.Type;
  const diagnostics: DefinitionDiagnostic[] = [];
  if (state.QueryLanguage !== undefined && !LANGUAGES.includes(state.QueryLanguage as string)) {
    diagnostics.push(
      error(
        CODES.schema,
        `Value is not a valid query language: ${JSON.stringify(state.QueryLanguage)} (JSONPath or JSONata)`,
        [...path, 'QueryLanguage'],
      ),
    );
  } else if (context.rootLanguage === 'JSONata' && state.QueryLanguage === 'JSONPath') {
    // The service's answer, recorded in LocalStack's test_sfn_api_validation snapshot.
    diagnostics.push(
      error(
        CODES.schema,
        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
        path,
      ),
    );
  }
  const language = languageOf(state, context.rootLanguage);
  diagnostics.push(...unsupportedFields(state, type, language, path));
  const missing = (REQUIRED[type] ?? []).filter((field) => state[field] === undefined);
  if (type === 'Map' && state.ItemProcessor === undefined && state.Iterator === undefined) {
    missing.push('ItemProcessor');
  }
  if (missing.length > 0) {
    diagnostics.push(error(CODES.schema, `These fields are required: [${missing.join(', ')}]`, path));
  }
  if (!SELF_TERMINAL.includes(type) && (state.Next === undefined) === (state.End === undefined)) {
    // AWS documents no wording for this one (the ASL spec: a state MUST have exactly one of them).
    diagnostics.push(error(CODES.schema, 'Exactly one of these fields is required: [Next, End]', path));
  }
  if (type === 'Task' && typeof state.Resource === 'string') {
    diagnostics.push(...resourceErrors(state.Resource, [...path, 'Resource'], context.type));
  }
  return diagnostics;
}

/** Fields the type does not take in the state's query language, saying when the other one takes it. */
function unsupportedFields(
  state: Record<string, unknown>,
  type: StateType,
  language: QueryLanguage,
  path: Segment[],
): DefinitionDiagnostic[] {
  const allowed = fieldsOf(type, language);
  const other: QueryLanguage = language === 'JSONata' ? 'JSONPath' : 'JSONata';
  return Object.keys(state)
    .filter((field) => !allowed.has(field))
    .map((field) => {
      const why = fieldsOf(type, other).has(field)
        ? `: ${type} states take it in ${other}, and this state's QueryLanguage is ${language}`
        : '';
      return error(CODES.schema, `Field '${field}' is not supported${why}`, path);
    });
}

function resourceErrors(resource: string, path: Segment[], type: StateMachineType): DefinitionDiagnostic[] {
  if (!ARN.test(resource)) return [error(CODES.schema, 'Value is not a valid resource ARN', path)];
  if (type !== 'EXPRESS') return [];
  // The service's words for `.waitForTaskToken` (LocalStack's recorded snapshot); `.sync` is refused
  // on EXPRESS alike (developer guide, "Standard vs. Express workflows"), in the same words.
  const pattern = /\.(sync(:2)?|waitForTaskToken)$/.exec(resource)?.[0];
  return pattern
    ? [error(CODES.schema, `Express state machine does not support '${pattern}' service integration`, path)]
    : [];
}
