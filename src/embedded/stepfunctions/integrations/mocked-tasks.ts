/**
 * Step Functions Local's mocked service integrations for the embedded engine: one test case of a
 * mock configuration (src/test-cases/mock-config.ts) becomes Task-state handlers for one
 * execution, with the semantics AWS documents
 * (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html):
 * - each mocked state counts its invocations in this execution, retries included, from 0;
 * - `Return` is the service integration's result (for `lambda:invoke` the Invoke envelope, so the
 *   ASL's `OutputPath: $.Payload` applies as it would to the real call);
 * - `Throw` fails the invocation with its `Error` and `Cause`, which go through the state's Retry
 *   and Catch like a real failure;
 * - an invocation past the last key fails the execution ("If you do not specify a mocked response
 *   for a specific retry attempt ... the state machine execution will fail"): terminal
 *   `States.Runtime`, as LocalStack fails it;
 * - a state the test case does not mock is not overridden: it runs for real.
 */
import { type MockConfig, mockedResponseAt, testCaseStates } from '../../../workflow/mock-config.ts';
import { TaskError } from '../../shared/index.ts';
import type { MockedTaskHandler } from '../types.ts';

/** Handlers for the mocked states of `testCase`; call once per execution (fresh counters). */
export function mockedTaskHandlers(
  config: MockConfig,
  stateMachineName: string,
  testCase: string,
): Record<string, MockedTaskHandler> {
  const invocations = new Map<string, number>();
  const handlers: Record<string, MockedTaskHandler> = {};
  for (const [state, responseName] of Object.entries(testCaseStates(config, stateMachineName, testCase))) {
    handlers[state] = async () => {
      const invocation = invocations.get(state) ?? 0;
      invocations.set(state, invocation + 1);
      const response = mockedResponseAt(config, responseName, invocation);
      if (!response) {
        throw new TaskError(
          'States.Runtime',
          `No mocked response for state "${state}" (mocked response "${responseName}") at invocation ${invocation} of test case "${testCase}"`,
          true,
        );
      }
      if (response.Throw) throw new TaskError(response.Throw.Error, response.Throw.Cause);
      // A copy: the engine's later steps must not change the configuration for the next invocation.
      return structuredClone(response.Return ?? null);
    };
  }
  return handlers;
}

/** `scones-dev-image-classification` of `arn:aws:states:...:stateMachine:scones-dev-image-classification`. */
export function stateMachineNameOf(stateMachineArn: string): string {
  return stateMachineArn.split(':').at(-1) ?? stateMachineArn;
}
