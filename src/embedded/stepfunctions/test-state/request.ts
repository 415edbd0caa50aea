/**
 * The rules between TestState's members that the service model cannot say (developer guide,
 * "Testing state machines with TestState API"): a mock is a result or an error output, never both,
 * and only for Task, Map and Parallel states; `context` only with a mock; `revealSecrets` never with
 * a mock; TRACE only for HTTP Tasks; Map, Parallel, Activity, `.sync` and `.waitForTaskToken`
 * states only with a mock. The JSON members are parsed here, each failure naming its member.
 */
import { refuse } from './errors.ts';
import type { StateUnderTest, TestStateRequest } from './types.ts';

const ROLE_ARN = /^arn:[\w-]+:iam::\d{12}:role\/.+$/;
export const HTTP_INVOKE = 'arn:aws:states:::http:invoke';

export interface ParsedMembers {
  input: unknown;
  variables: Record<string, unknown> | undefined;
  context: Record<string, unknown> | undefined;
  /** The mocked result, parsed; undefined when the mock is an error output (or absent). */
  mockResult?: { value: unknown };
  mockError?: { error: string; cause: string };
}

function json(text: string, member: string, code: 'input' | 'validation'): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const why = `${member} is not valid JSON: ${(error as Error).message}`;
    throw code === 'input'
      ? refuse.input(`Invalid State Machine Execution Input: '${why}'`)
      : refuse.validation(why);
  }
}

function jsonObject(text: string | undefined, member: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  const value = json(text, member, 'validation');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw refuse.validation(`${member} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Checks the request against the state and parses its JSON members. */
export function parseMembers(request: TestStateRequest, state: StateUnderTest): ParsedMembers {
  const { mock } = request;
  const type = state.definition.Type;
  const resource = typeof state.definition.Resource === 'string' ? state.definition.Resource : '';
  if (request.roleArn !== undefined && !ROLE_ARN.test(request.roleArn)) {
    throw refuse.arn(
      `Invalid Arn: 'Resource type not valid in this context: expected a role ARN: ${request.roleArn}'`,
    );
  }
  if (mock) {
    if (mock.result !== undefined && mock.errorOutput !== undefined) {
      throw refuse.validation('A mock has either a result or an errorOutput, not both');
    }
    if (mock.result === undefined && mock.errorOutput === undefined) {
      throw refuse.validation('A mock needs a result or an errorOutput');
    }
    if (!['Task', 'Map', 'Parallel'].includes(type)) {
      throw refuse.validation(
        `A mock can only be specified for Task, Map, or Parallel states; this state is a ${type}`,
      );
    }
    if (request.revealSecrets) throw refuse.validation('revealSecrets cannot be used with a mock');
  } else {
    if (request.context !== undefined) throw refuse.validation('context may only be specified with a mock');
    if (type === 'Map' || type === 'Parallel') {
      throw refuse.validation(`Testing a ${type} state requires a mock of its result or error output`);
    }
    if (type === 'Task') {
      throw refuse.validation(
        `The local TestState runs Task states with a mock only: give a mock of the result or error output of ${resource || 'the Task'}`,
      );
    }
  }
  if (request.inspectionLevel === 'TRACE' && !(type === 'Task' && resource.startsWith(HTTP_INVOKE))) {
    throw refuse.validation('The TRACE inspection level applies to HTTP Tasks only; use INFO or DEBUG');
  }
  const configuration = request.stateConfiguration ?? {};
  if (configuration.errorCausedByState !== undefined && type !== 'Map' && type !== 'Parallel') {
    throw refuse.validation('stateConfiguration.errorCausedByState applies to Map and Parallel states only');
  }
  if (configuration.mapIterationFailureCount !== undefined && type !== 'Map') {
    throw refuse.validation('stateConfiguration.mapIterationFailureCount applies to Map states only');
  }
  const members: ParsedMembers = {
    input: request.input === undefined ? {} : json(request.input, 'input', 'input'),
    variables: jsonObject(request.variables, 'variables'),
    context: jsonObject(request.context, 'context'),
  };
  if (mock?.result !== undefined)
    members.mockResult = { value: json(mock.result, 'mock.result', 'validation') };
  if (mock?.errorOutput) {
    if (mock.errorOutput.error === undefined) throw refuse.validation('mock.errorOutput.error is required');
    members.mockError = { error: mock.errorOutput.error, cause: mock.errorOutput.cause ?? '' };
  }
  return members;
}
