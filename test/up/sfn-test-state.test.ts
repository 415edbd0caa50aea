/**
 * TestState on the embedded Step Functions API through the kit's own SFN client (which leaves off
 * the `sync-` host prefix TestState carries): AWS's documented examples (developer guide "Testing
 * state machines with TestState API") give AWS's documented answers, and bad requests get the
 * documented errors while the server keeps answering.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  InvalidDefinition,
  InvalidExecutionInput,
  ListStateMachinesCommand,
  type SFNClient,
  TestStateCommand,
  type TestStateCommandInput,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSfnClient } from '../../src/aws/clients.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';

let runtime: EmbeddedRuntime;
let sfn: SFNClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-test-state-'));
  runtime = await startEmbeddedRuntime({ dataDir, predictor: createStubPredictor(), stepFunctionsApi: true });
  sfn = createSfnClient(runtime.config);
});
afterAll(async () => {
  sfn?.destroy();
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const test = (input: TestStateCommandInput) => sfn.send(new TestStateCommand(input));
const json = (text: string | undefined) => JSON.parse(text ?? 'null');
const LAMBDA = 'arn:aws:states:::lambda:invoke';

describe('TestState on scones up', () => {
  it('a Pass state at DEBUG shows every step of its input and output processing', async () => {
    const answer = await test({
      definition: JSON.stringify({
        Type: 'Pass',
        InputPath: '$.payload',
        Parameters: { data: 1, 'echo.$': '$.foo' },
        ResultPath: '$.result',
        OutputPath: '$.result.data',
        Next: 'Another State',
      }),
      input: JSON.stringify({ payload: { foo: 'bar' } }),
      inspectionLevel: 'DEBUG',
    });
    expect(answer.status).toBe('SUCCEEDED');
    expect(answer.nextState).toBe('Another State');
    expect(json(answer.output)).toBe(1);
    const data = answer.inspectionData ?? {};
    expect(json(data.input)).toEqual({ payload: { foo: 'bar' } });
    expect(json(data.afterInputPath)).toEqual({ foo: 'bar' });
    expect(json(data.afterParameters)).toEqual({ data: 1, echo: 'bar' });
    expect(json(data.afterResultPath)).toEqual({ payload: { foo: 'bar' }, result: { data: 1, echo: 'bar' } });
  });

  it('at INFO the answer has no inspectionData', async () => {
    const answer = await test({ definition: JSON.stringify({ Type: 'Pass', Result: { a: 1 }, End: true }) });
    expect(answer).toMatchObject({ status: 'SUCCEEDED', output: '{"a":1}' });
    expect(answer.inspectionData).toBeUndefined();
    expect(answer.nextState).toBeUndefined();
  });

  it('a Task with a mocked result goes through ResultSelector and ResultPath', async () => {
    const answer = await test({
      definition: JSON.stringify({
        Type: 'Task',
        Resource: LAMBDA,
        Parameters: { FunctionName: 'classify', 'Payload.$': '$' },
        ResultSelector: { 'label.$': '$.Payload.label' },
        ResultPath: '$.prediction',
        Next: 'Filter',
      }),
      input: JSON.stringify({ key: 'bike.png' }),
      mock: { result: JSON.stringify({ StatusCode: 200, Payload: { label: 'bicycle', score: 0.9 } }) },
      inspectionLevel: 'DEBUG',
    });
    expect(answer.status).toBe('SUCCEEDED');
    expect(answer.nextState).toBe('Filter');
    expect(json(answer.output)).toEqual({ key: 'bike.png', prediction: { label: 'bicycle' } });
    const data = answer.inspectionData ?? {};
    expect(json(data.afterParameters)).toEqual({ FunctionName: 'classify', Payload: { key: 'bike.png' } });
    expect(json(data.result)).toEqual({ StatusCode: 200, Payload: { label: 'bicycle', score: 0.9 } });
    expect(json(data.afterResultSelector)).toEqual({ label: 'bicycle' });
  });

  it('a mocked error caught by Catch: CAUGHT_ERROR, the catcher as next state, the error under its ResultPath', async () => {
    const answer = await test({
      definition: JSON.stringify({
        Type: 'Task',
        Resource: LAMBDA,
        Parameters: { FunctionName: 'f' },
        Catch: [
          { ErrorEquals: ['Other.Error'], Next: 'Elsewhere' },
          {
            ErrorEquals: ['Lambda.TooManyRequestsException'],
            ResultPath: '$.error',
            Next: 'HandleThrottling',
          },
        ],
        Next: 'Success',
      }),
      input: JSON.stringify({ data: 'value' }),
      mock: { errorOutput: { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' } },
      inspectionLevel: 'DEBUG',
    });
    expect(answer).toMatchObject({
      status: 'CAUGHT_ERROR',
      nextState: 'HandleThrottling',
      error: 'Lambda.TooManyRequestsException',
      cause: 'Rate exceeded',
    });
    expect(json(answer.output)).toEqual({
      data: 'value',
      error: { Error: 'Lambda.TooManyRequestsException', Cause: 'Rate exceeded' },
    });
    expect(answer.inspectionData?.errorDetails).toEqual({ catchIndex: 1 });
  });

  it('a retriable error: RETRIABLE with the retrier and its backoff; once retries are spent, Catch takes it', async () => {
    const definition = JSON.stringify({
      Type: 'Task',
      Resource: LAMBDA,
      Parameters: { FunctionName: 'f' },
      Retry: [
        { ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }],
      End: true,
    });
    const mock = { errorOutput: { error: 'Lambda.ServiceException', cause: 'Service error' } };
    const retried = await test({
      definition,
      mock,
      stateConfiguration: { retrierRetryCount: 1 },
      inspectionLevel: 'DEBUG',
    });
    expect(retried).toMatchObject({
      status: 'RETRIABLE',
      error: 'Lambda.ServiceException',
      cause: 'Service error',
    });
    expect(retried.inspectionData?.errorDetails).toEqual({ retryIndex: 0, retryBackoffIntervalSeconds: 4 });
    expect(retried.output).toBeUndefined();
    const spent = await test({ definition, mock, stateConfiguration: { retrierRetryCount: 3 } });
    expect(spent).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'Recover' });
    expect(json(spent.output)).toEqual({ Error: 'Lambda.ServiceException', Cause: 'Service error' });
  });

  it("a Choice state's next state, a Wait state at once, a Fail state's error", async () => {
    const choice = await test({
      definition: JSON.stringify({
        Type: 'Choice',
        Choices: [
          { Variable: '$.number', NumericEquals: 1, Next: 'Equals 1' },
          { Variable: '$.number', NumericEquals: 2, Next: 'Equals 2' },
        ],
        Default: 'No Match',
      }),
      input: JSON.stringify({ number: 2 }),
    });
    expect(choice).toMatchObject({ status: 'SUCCEEDED', nextState: 'Equals 2', output: '{"number":2}' });
    const started = Date.now();
    const wait = await test({ definition: JSON.stringify({ Type: 'Wait', Seconds: 3600, Next: 'Later' }) });
    expect(wait).toMatchObject({ status: 'SUCCEEDED', nextState: 'Later' });
    expect(Date.now() - started).toBeLessThan(5_000);
    const fail = await test({
      definition: JSON.stringify({ Type: 'Fail', Error: 'Bad.Input', Cause: 'no image' }),
    });
    expect(fail).toMatchObject({ status: 'FAILED', error: 'Bad.Input', cause: 'no image' });
  });

  it('a JSONata Task: Arguments, Output and Assign, the variables in inspectionData', async () => {
    const answer = await test({
      definition: JSON.stringify({
        Type: 'Task',
        QueryLanguage: 'JSONata',
        Resource: LAMBDA,
        Arguments: { FunctionName: 'f', Payload: '{% $states.input.n + $base %}' },
        Output: '{% $states.result.Payload * 2 %}',
        Assign: { last: '{% $states.result.Payload %}' },
        Next: 'After',
      }),
      input: JSON.stringify({ n: 3 }),
      variables: JSON.stringify({ base: 10 }),
      mock: { result: JSON.stringify({ Payload: 13 }) },
      inspectionLevel: 'DEBUG',
    });
    expect(answer).toMatchObject({ status: 'SUCCEEDED', nextState: 'After', output: '26' });
    const data = answer.inspectionData ?? {};
    expect(json(data.afterArguments)).toEqual({ FunctionName: 'f', Payload: 13 });
    expect(json(data.variables)).toEqual({ base: 10, last: 13 });
    expect(data.afterParameters).toBeUndefined();
  });

  it('a JSONPath Pass that assigns from its result and reads a given variable', async () => {
    const answer = await test({
      definition: JSON.stringify({
        Type: 'Pass',
        Parameters: { 'sum.$': 'States.MathAdd($.n, $base)' },
        Assign: { 'total.$': '$.sum' },
        End: true,
      }),
      input: JSON.stringify({ n: 3 }),
      variables: JSON.stringify({ base: 10 }),
      inspectionLevel: 'DEBUG',
    });
    expect(answer).toMatchObject({ status: 'SUCCEEDED', output: '{"sum":13}' });
    expect(json(answer.inspectionData?.variables)).toEqual({ base: 10, total: 13 });
  });

  it('a state of a whole state machine by stateName, and a mocked Map state', async () => {
    const machine = {
      QueryLanguage: 'JSONata',
      StartAt: 'Double',
      States: {
        Double: { Type: 'Pass', Output: '{% $states.input.x * 2 %}', Next: 'Each' },
        Each: {
          Type: 'Map',
          QueryLanguage: 'JSONPath',
          ItemsPath: '$.items',
          ItemSelector: { 'value.$': '$$.Map.Item.Value' },
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    };
    const pass = await test({ definition: JSON.stringify(machine), stateName: 'Double', input: '{"x":21}' });
    expect(pass).toMatchObject({ status: 'SUCCEEDED', output: '42', nextState: 'Each' });
    const map = await test({
      definition: JSON.stringify(machine),
      stateName: 'Each',
      input: '{"items":[1,2]}',
      mock: { result: '[10,20]' },
      inspectionLevel: 'DEBUG',
    });
    expect(map).toMatchObject({ status: 'SUCCEEDED', output: '[10,20]' });
    expect(json(map.inspectionData?.afterItemSelector)).toEqual([{ value: 1 }, { value: 2 }]);
  });

  it('bad requests get the documented errors and the server keeps answering', async () => {
    await expect(test({ definition: '{not json' })).rejects.toBeInstanceOf(InvalidDefinition);
    await expect(
      test({ definition: JSON.stringify({ Type: 'Teleport', End: true }) }),
    ).rejects.toBeInstanceOf(InvalidDefinition);
    await expect(
      test({ definition: JSON.stringify({ Type: 'Pass', End: true }), input: '{oops' }),
    ).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(
      test({ definition: JSON.stringify({ Type: 'Pass', End: true }), inspectionLevel: 'LOUD' as never }),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      test({
        definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }),
        stateName: 'B',
      }),
    ).rejects.toThrow(/stateName 'B' is not a state/);
    await expect(
      test({ definition: JSON.stringify({ Type: 'Task', Resource: LAMBDA, End: true }) }),
    ).rejects.toThrow(/runs Task states with a mock only/);
    await expect(
      test({
        definition: JSON.stringify({ Type: 'Pass', End: true }),
        mock: { result: '{}' },
      }),
    ).rejects.toThrow(/only be specified for Task, Map, or Parallel/);
    const listed = await sfn.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines?.length).toBeGreaterThan(0);
    const after = await test({ definition: JSON.stringify({ Type: 'Succeed' }), input: '{"ok":true}' });
    expect(after).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":true}' });
  });
});
