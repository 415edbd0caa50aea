/** Shared by the test-case tests. */
import * as errors from '../../src/workflow/errors.ts';

/** Every error name the kit's Lambdas throw (src/workflow/errors.ts), read from the classes. */
export const WORKFLOW_ERROR_NAMES: string[] = Object.values(errors)
  .filter((value) => typeof value === 'function' && value.prototype instanceof errors.WorkflowError)
  .map((ErrorClass) => new (ErrorClass as new (message: string) => Error)('').name);

/**
 * A state machine of one mocked Task (a lambda:invoke of a function that does not exist): Retry on
 * `Boom` three times, Catch on States.ALL into a Pass state. Probes how an engine applies mocks.
 */
export const MOCK_PROBE_DEFINITION = {
  StartAt: 'Task',
  States: {
    Task: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:absent', 'Payload.$': '$' },
      OutputPath: '$.Payload',
      Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 3, IntervalSeconds: 1 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
      End: true,
    },
    Caught: { Type: 'Pass', End: true },
  },
};
