/**
 * Step Functions' optimized integration with its own API, `arn:aws:states:::states:startExecution`
 * ("Start a new AWS Step Functions state machine execution from a running execution",
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html), in-process:
 * - request-response (`states:startExecution`): StartExecution's answer, `ExecutionArn` and
 *   `StartDate`, beside the SDK metadata AWS adds; the child runs on its own;
 * - Run a Job (`.sync`): waits for the child to close and returns its DescribeExecution fields in
 *   PascalCase, `Input` and `Output` as JSON strings; `.sync:2` returns them as JSON;
 * - a child that fails, times out or is aborted fails the Task with `States.TaskFailed`, whose
 *   Cause is the JSON of those fields with the child's `Error` and `Cause`;
 * - StartExecution's refusals fail the Task as `StepFunctions.<ErrorCode>Exception`, Cause
 *   "<message> (Service: AWSStepFunctions; Status Code: 400; Error Code: <code>; Request ID: <id>;
 *   Proxy: null)".
 * The shapes and names are those LocalStack's snapshot tests recorded on AWS
 * (tests/aws/services/stepfunctions/v2/callback/test_callback.snapshot.json and
 * error_handling/test_task_service_sfn.snapshot.json). `StartDate`/`StopDate` are epoch
 * milliseconds, as in Step Functions' status-change events (the recordings mask their values;
 * nothing in the kit reads them). Parameters are the three the integration supports:
 * StateMachineArn, Input (an object, or a JSON string) and Name.
 */
import { randomUUID } from 'node:crypto';
import type { ExecutionRecord } from '../../../workflow/execution.ts';
import { TaskError } from '../../shared/index.ts';
import { ExecutionAlreadyExists, InvalidName } from '../execution-registry.ts';
import type { StateMachineRegistry } from '../state-machine-registry.ts';
import type { StartExecutionHandler, StartedExecution } from '../types.ts';
import { assertWithinPayloadLimit } from './lambda.ts';

const START_EXECUTION = 'arn:aws:states:::states:startExecution';
const PATTERNS = { '': 'request-response', '.sync': 'sync', '.sync:2': 'sync:2' } as const;
type Pattern = (typeof PATTERNS)[keyof typeof PATTERNS];
const SUPPORTED_PARAMETERS = new Set(['StateMachineArn', 'Input', 'Name']);
const STATE_MACHINE_ARN = /^arn:[\w-]+:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;

export function isStartExecutionResource(resource: string): boolean {
  return resource === START_EXECUTION || resource.startsWith(`${START_EXECUTION}.`);
}

/**
 * The handler of a Task whose Resource is `states:startExecution[.sync[:2]]`. Throws, as
 * CreateStateMachine would refuse the definition, for another pattern or an unsupported parameter.
 */
export function bindStartExecution(
  stateName: string,
  resource: string,
  parameters: unknown,
  stateMachines: StateMachineRegistry,
): StartExecutionHandler {
  const pattern = PATTERNS[resource.slice(START_EXECUTION.length) as keyof typeof PATTERNS];
  if (!pattern) throw new Error(`State ${stateName}: ${resource} is not supported in-process`);
  const names = Object.keys((parameters ?? {}) as object).map((key) => key.replace(/\.\$$/, ''));
  const unsupported = names.filter((name) => !SUPPORTED_PARAMETERS.has(name));
  if (unsupported.length > 0) {
    throw new Error(
      `State ${stateName}: ${resource} does not support the parameter(s) ${unsupported.join(', ')} (supported: StateMachineArn, Input, Name)`,
    );
  }
  if (!names.includes('StateMachineArn')) throw new Error(`State ${stateName}: StateMachineArn is required`);
  return (parentExecutionArn) => async (input) => {
    const { machineArn, child } = startChild(input, stateMachines, parentExecutionArn);
    if (pattern === 'request-response') return startExecutionOutput(child);
    const record = await child.done;
    const description = describe(record, machineArn, pattern);
    if (record.status !== 'SUCCEEDED') throw new TaskError('States.TaskFailed', JSON.stringify(description));
    assertWithinPayloadLimit(description, `result of ${resource}`);
    return description;
  };
}

function startChild(
  parameters: unknown,
  stateMachines: StateMachineRegistry,
  parentExecutionArn: string,
): { machineArn: string; child: StartedExecution } {
  const { StateMachineArn, Input, Name } = (parameters ?? {}) as Record<string, unknown>;
  if (typeof StateMachineArn !== 'string' || !STATE_MACHINE_ARN.test(StateMachineArn)) {
    throw refusal('InvalidArn', `Invalid Arn: '${String(StateMachineArn)}'`);
  }
  const machine = stateMachines.get(StateMachineArn);
  if (!machine)
    throw refusal('StateMachineDoesNotExist', `State Machine Does Not Exist: '${StateMachineArn}'`);
  if (Name !== undefined && typeof Name !== 'string')
    throw refusal('InvalidName', `Invalid Name: '${String(Name)}'`);
  let child: StartedExecution;
  try {
    child = machine.start(childInput(Input), Name ?? randomUUID());
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) {
      throw refusal('ExecutionAlreadyExists', `Execution Already Exists: '${error.executionArn}'`);
    }
    if (error instanceof InvalidName) throw refusal('InvalidName', error.message);
    throw error;
  }
  // Same name and input while running: StartExecution answers with that execution, starting nothing.
  if (child.started) stateMachines.nestedStarted(child, parentExecutionArn);
  return { machineArn: machine.stateMachineArn, child };
}

/** Input as an object (sent as its JSON), a JSON string (sent as is), or absent (`{}`). */
function childInput(input: unknown): unknown {
  if (input === undefined) return {};
  if (typeof input !== 'string') return JSON.parse(JSON.stringify(input));
  try {
    return JSON.parse(input);
  } catch (error) {
    throw refusal(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: '${(error as Error).message}'`,
    );
  }
}

/** A refused StartExecution, named and described as the integration reports it on AWS. */
function refusal(code: string, message: string): TaskError {
  return new TaskError(
    `StepFunctions.${code}Exception`,
    `${message} (Service: AWSStepFunctions; Status Code: 400; Error Code: ${code}; Request ID: ${randomUUID()}; Proxy: null)`,
  );
}

function startExecutionOutput(child: StartedExecution) {
  const requestId = randomUUID();
  const headers = { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': requestId };
  return {
    ExecutionArn: child.executionArn,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StartDate: child.startDate.getTime(),
  };
}

/** The closed child as the `.sync` patterns report it (keys in AWS's order). */
function describe(
  record: ExecutionRecord,
  stateMachineArn: string,
  pattern: Exclude<Pattern, 'request-response'>,
) {
  const json = (value: unknown) => (pattern === 'sync:2' ? (value ?? null) : JSON.stringify(value ?? null));
  const succeeded = record.status === 'SUCCEEDED';
  return {
    ...(!succeeded && record.cause !== undefined ? { Cause: record.cause } : {}),
    ...(!succeeded && record.error !== undefined ? { Error: record.error } : {}),
    ExecutionArn: record.executionArn,
    Input: json(record.input),
    InputDetails: { Included: true },
    Name: record.name,
    ...(succeeded ? { Output: json(record.output), OutputDetails: { Included: true } } : {}),
    StartDate: record.startDate.getTime(),
    StateMachineArn: stateMachineArn,
    Status: record.status,
    StopDate: record.stopDate.getTime(),
  };
}
