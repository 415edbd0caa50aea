/**
 * The embedded `arn:aws:states:::states:startExecution` integration against AWS's documented and
 * recorded behaviour: request-response, `.sync` and `.sync:2` outputs, a failed or timed-out child
 * as States.TaskFailed with the child's description as Cause, StartExecution's refusals as
 * `StepFunctions.<Code>Exception`, and Standard workflows' idempotent start (same name and input
 * while running: the same execution).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EmbeddedEngine,
  type StartedExecution,
  StateMachineRegistry,
} from '../../src/embedded/stepfunctions/index.ts';
import type { ExecutionRecord } from '../../src/workflow/execution.ts';

const REGION_ACCOUNT = 'us-east-1:000000000000';
const arnOf = (name: string) => `arn:aws:states:${REGION_ACCOUNT}:stateMachine:${name}`;
const executionArnOf = (machine: string, name: string) =>
  `arn:aws:states:${REGION_ACCOUNT}:execution:${machine}:${name}`;
const GATE_FUNCTION = `arn:aws:lambda:${REGION_ACCOUNT}:function:gate`;
const START = 'arn:aws:states:::states:startExecution';
const REFUSAL_CAUSE = (code: string) =>
  new RegExp(
    ` \\(Service: AWSStepFunctions; Status Code: 400; Error Code: ${code}; Request ID: [0-9a-f-]{36}; Proxy: null\\)$`,
  );

const s3 = new S3Client({ region: 'us-east-1' });
afterAll(() => s3.destroy());
const stateMachines = new StateMachineRegistry();
const nestedStarts: { child: StartedExecution; parent: string }[] = [];
stateMachines.onNestedStart((child, parent) => nestedStarts.push({ child, parent }));

/** A child whose one Task waits until the test opens the gate; counts its invocations. */
const gate = {
  calls: 0,
  open: () => {},
  opened: Promise.resolve(),
  reset() {
    this.opened = new Promise<void>((resolve) => {
      this.open = resolve;
    });
  },
};

function machine(name: string, definition: Record<string, unknown>): EmbeddedEngine {
  return new EmbeddedEngine({
    definition,
    functions: {
      [GATE_FUNCTION]: async () => {
        gate.calls++;
        await gate.opened;
        return { gated: true };
      },
    },
    clients: { s3 },
    stateMachineArn: arnOf(name),
    stateMachines,
    retryDelayMs: 0,
  });
}

const echo = machine('echo', {
  StartAt: 'Echo',
  States: { Echo: { Type: 'Pass', Parameters: { 'got.$': '$' }, End: true } },
});
machine('fails', {
  StartAt: 'Fail',
  States: { Fail: { Type: 'Fail', Error: 'InvalidImage', Cause: 'not a decodable image' } },
});
const gated = machine('gated', {
  StartAt: 'Wait',
  States: {
    Wait: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: GATE_FUNCTION, 'Payload.$': '$' },
      OutputPath: '$.Payload',
      End: true,
    },
  },
});
machine('times-out', {
  TimeoutSeconds: 1,
  StartAt: 'Sleep',
  States: { Sleep: { Type: 'Wait', Seconds: 5, End: true } },
});

/** A parent with one Task on `resource`; failures it catches by `catches` end in Caught. */
function parent(name: string, resource: string, parameters: Record<string, unknown>, catches?: string[]) {
  return machine(name, {
    StartAt: 'Start',
    States: {
      Start: {
        Type: 'Task',
        Resource: resource,
        Parameters: parameters,
        ...(catches ? { Catch: [{ ErrorEquals: catches, ResultPath: '$.caught', Next: 'Caught' }] } : {}),
        End: true,
      },
      ...(catches ? { Caught: { Type: 'Pass', End: true } } : {}),
    },
  });
}

const requestResponse = parent('starts', START, {
  'StateMachineArn.$': '$.machine',
  'Name.$': '$.name',
  'Input.$': '$.input',
});
const withoutInput = parent('starts-without-input', START, {
  StateMachineArn: arnOf('echo'),
  'Name.$': '$.name',
});
const sync = parent('starts-sync', `${START}.sync`, {
  'StateMachineArn.$': '$.machine',
  'Name.$': '$.name',
  'Input.$': '$.input',
});
const sync2 = parent('starts-sync2', `${START}.sync:2`, {
  'StateMachineArn.$': '$.machine',
  'Name.$': '$.name',
  'Input.$': '$.input',
});
const catching = parent(
  'starts-and-catches',
  `${START}.sync:2`,
  { 'StateMachineArn.$': '$.machine', 'Name.$': '$.name', 'Input.$': '$.input' },
  ['StepFunctions.ExecutionAlreadyExistsException', 'States.TaskFailed'],
);

let runs = 0;
const uniqueName = (label: string) => `${label}-${++runs}`;
const run = (engine: EmbeddedEngine, machineName: string, name: string, input: unknown) =>
  engine.run({ machine: arnOf(machineName), name, input });

function expectTaskFailure(record: ExecutionRecord, error: string, cause: RegExp | string) {
  expect(record.status).toBe('FAILED');
  expect(record.error).toBe(error);
  if (typeof cause === 'string') expect(record.cause).toBe(cause);
  else expect(record.cause).toMatch(cause);
}

describe('request-response (states:startExecution)', () => {
  it("answers StartExecution's ExecutionArn and StartDate at once; the child runs on its own", async () => {
    gate.reset();
    const name = uniqueName('rr');
    const before = Date.now();
    const record = await run(requestResponse, 'gated', name, { image: 1 });
    expect(record.status).toBe('SUCCEEDED');
    const output = record.output as Record<string, unknown>;
    expect(Object.keys(output)).toEqual([
      'ExecutionArn',
      'SdkHttpMetadata',
      'SdkResponseMetadata',
      'StartDate',
    ]);
    expect(output.ExecutionArn).toBe(executionArnOf('gated', name));
    expect(output.StartDate).toBeGreaterThanOrEqual(before);
    expect(output.StartDate).toBeLessThanOrEqual(Date.now());
    expect(output).toMatchObject({
      SdkHttpMetadata: { HttpStatusCode: 200 },
      SdkResponseMetadata: { RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
    // The parent closed while its child still waits.
    expect(gated.executions.isRunning(name)).toBe(true);
    expect(nestedStarts.at(-1)).toMatchObject({
      child: { executionArn: executionArnOf('gated', name) },
      parent: record.executionArn,
    });
    gate.open();
    await gated.executions.idle();
    expect(gated.executions.get(name)).toMatchObject({ status: 'SUCCEEDED', output: { gated: true } });
  });

  it('takes Input as an object or as a JSON string, and no Input as {}', async () => {
    const asObject = uniqueName('object');
    const asString = uniqueName('string');
    const absent = uniqueName('absent');
    await run(requestResponse, 'echo', asObject, { a: [1, 'two'] });
    await run(requestResponse, 'echo', asString, '{"a": [1, "two"]}');
    await withoutInput.run({ name: absent });
    await echo.executions.idle();
    expect(echo.executions.get(asObject)?.output).toEqual({ got: { a: [1, 'two'] } });
    expect(echo.executions.get(asString)?.output).toEqual({ got: { a: [1, 'two'] } });
    expect(echo.executions.get(absent)?.output).toEqual({ got: {} });
  });

  it('refuses an Input string that is not JSON: StepFunctions.InvalidExecutionInputException', async () => {
    const record = await run(requestResponse, 'echo', uniqueName('bad-input'), '{not json');
    expectTaskFailure(
      record,
      'StepFunctions.InvalidExecutionInputException',
      REFUSAL_CAUSE('InvalidExecutionInput'),
    );
  });
});

describe('Run a Job (.sync) and .sync:2', () => {
  it('.sync waits for the child and returns its description, Input and Output as JSON strings', async () => {
    gate.reset();
    const name = uniqueName('sync');
    const pending = run(sync, 'gated', name, { image: 2 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sync.executions.runningCount).toBe(1);
    gate.open();
    const record = await pending;
    expect(record.status).toBe('SUCCEEDED');
    const output = record.output as Record<string, unknown>;
    expect(Object.keys(output)).toEqual([
      'ExecutionArn',
      'Input',
      'InputDetails',
      'Name',
      'Output',
      'OutputDetails',
      'StartDate',
      'StateMachineArn',
      'Status',
      'StopDate',
    ]);
    expect(output).toMatchObject({
      ExecutionArn: executionArnOf('gated', name),
      Input: '{"image":2}',
      InputDetails: { Included: true },
      Name: name,
      Output: '{"gated":true}',
      OutputDetails: { Included: true },
      StateMachineArn: arnOf('gated'),
      Status: 'SUCCEEDED',
    });
    expect(output.StopDate as number).toBeGreaterThanOrEqual(output.StartDate as number);
  });

  it('.sync:2 returns Input and Output as JSON', async () => {
    const record = await run(sync2, 'echo', uniqueName('sync2'), { image: 3 });
    expect(record.output).toMatchObject({
      Input: { image: 3 },
      Output: { got: { image: 3 } },
      Status: 'SUCCEEDED',
    });
  });

  it.each([
    ['.sync', sync, '{"image":4}'],
    ['.sync:2', sync2, { image: 4 }],
  ])(
    '%s: a failed child fails the Task with States.TaskFailed and its description as Cause',
    async (_pattern, engine, input) => {
      const name = uniqueName('failed');
      const record = await run(engine, 'fails', name, { image: 4 });
      expectTaskFailure(record, 'States.TaskFailed', /"Status":"FAILED"/);
      const cause = JSON.parse(record.cause as string);
      expect(Object.keys(cause)).toEqual([
        'Cause',
        'Error',
        'ExecutionArn',
        'Input',
        'InputDetails',
        'Name',
        'StartDate',
        'StateMachineArn',
        'Status',
        'StopDate',
      ]);
      expect(cause).toMatchObject({
        Cause: 'not a decodable image',
        Error: 'InvalidImage',
        ExecutionArn: executionArnOf('fails', name),
        Input: input,
        Name: name,
        StateMachineArn: arnOf('fails'),
        Status: 'FAILED',
      });
    },
  );

  it('a timed-out child (TimeoutSeconds) fails the Task with States.TaskFailed, Status TIMED_OUT', async () => {
    const record = await run(sync2, 'times-out', uniqueName('timeout'), {});
    expectTaskFailure(record, 'States.TaskFailed', /"Status":"TIMED_OUT"/);
    expect(JSON.parse(record.cause as string)).toMatchObject({
      Error: 'States.Timeout',
      Status: 'TIMED_OUT',
    });
  });

  it('Catch sees the failure by its name, as Retry and Catch do on AWS', async () => {
    const record = await run(catching, 'fails', uniqueName('caught'), {});
    expect(record.status).toBe('SUCCEEDED');
    expect((record.output as { caught: { Error: string } }).caught.Error).toBe('States.TaskFailed');
  });
});

describe("StartExecution's naming rule for Standard workflows", () => {
  it('the same name and input while the child runs is that execution: one run, one answer', async () => {
    gate.reset();
    const callsBefore = gate.calls;
    const startsBefore = nestedStarts.length;
    const name = uniqueName('same');
    const first = await run(requestResponse, 'gated', name, { image: 5 });
    const second = await run(requestResponse, 'gated', name, { image: 5 });
    expect((second.output as { ExecutionArn: string }).ExecutionArn).toBe(
      (first.output as { ExecutionArn: string }).ExecutionArn,
    );
    expect((second.output as { StartDate: number }).StartDate).toBe(
      (first.output as { StartDate: number }).StartDate,
    );
    // .sync callers of the same name wait for that one execution too.
    const waiting = [run(sync2, 'gated', name, { image: 5 }), run(sync2, 'gated', name, { image: 5 })];
    gate.open();
    for (const record of await Promise.all(waiting)) {
      expect(record.output).toMatchObject({ Name: name, Output: { gated: true } });
    }
    expect(gate.calls - callsBefore).toBe(1);
    expect(nestedStarts.length - startsBefore).toBe(1);
  });

  it('a different input while running, or any start of a closed name: ExecutionAlreadyExists', async () => {
    gate.reset();
    const name = uniqueName('taken');
    await run(requestResponse, 'gated', name, { image: 6 });
    const different = await run(requestResponse, 'gated', name, { image: 7 });
    gate.open();
    await gated.executions.idle();
    const closed = await run(requestResponse, 'gated', name, { image: 6 });
    for (const record of [different, closed]) {
      expectTaskFailure(
        record,
        'StepFunctions.ExecutionAlreadyExistsException',
        new RegExp(
          `^Execution Already Exists: '${executionArnOf('gated', name)}'${REFUSAL_CAUSE('ExecutionAlreadyExists').source}`,
        ),
      );
    }
    const caught = await run(catching, 'gated', name, { image: 6 });
    expect(caught.status).toBe('SUCCEEDED');
    expect((caught.output as { caught: { Error: string } }).caught.Error).toBe(
      'StepFunctions.ExecutionAlreadyExistsException',
    );
  });

  it.each([['has space'], ['a/b'], ['x'.repeat(81)]])(
    'refuses the name %j: StepFunctions.InvalidNameException',
    async (name) => {
      const record = await run(requestResponse, 'echo', name, {});
      expectTaskFailure(record, 'StepFunctions.InvalidNameException', /^Invalid Name: '/);
      expect(record.cause).toMatch(REFUSAL_CAUSE('InvalidName'));
    },
  );

  it('refuses an unknown state machine and an ARN that is not one', async () => {
    const unknown = await run(requestResponse, 'nowhere', uniqueName('unknown'), {});
    expectTaskFailure(
      unknown,
      'StepFunctions.StateMachineDoesNotExistException',
      REFUSAL_CAUSE('StateMachineDoesNotExist'),
    );
    expect(unknown.cause).toMatch(
      /^State Machine Does Not Exist: 'arn:aws:states:us-east-1:000000000000:stateMachine:nowhere'/,
    );
    const notAnArn = await requestResponse.run({ machine: 'echo', name: uniqueName('arn'), input: {} });
    expectTaskFailure(notAnArn, 'StepFunctions.InvalidArnException', REFUSAL_CAUSE('InvalidArn'));
  });
});

describe('definitions', () => {
  it('refuses parameters the integration does not take, and the callback pattern', () => {
    expect(() =>
      parent('bad-parameter', START, { StateMachineArn: arnOf('echo'), TraceHeader: 'x' }),
    ).toThrow(/does not support the parameter\(s\) TraceHeader/);
    expect(() => parent('no-arn', START, { Name: 'x' })).toThrow(/StateMachineArn is required/);
    expect(() => parent('callback', `${START}.waitForTaskToken`, { StateMachineArn: arnOf('echo') })).toThrow(
      /waitForTaskToken is not supported in-process/,
    );
  });

  it('binds Tasks inside a Map: each item a child execution (.sync:2)', async () => {
    const fanOut = machine('fan-out', {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 2,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Child',
            States: {
              Child: {
                Type: 'Task',
                Resource: `${START}.sync:2`,
                Parameters: { StateMachineArn: arnOf('echo'), 'Input.$': '$' },
                ResultSelector: { 'output.$': '$.Output' },
                End: true,
              },
            },
          },
          End: true,
        },
      },
    });
    const record = await fanOut.run({ items: [{ n: 1 }, { n: 2 }, { n: 3 }] });
    expect(record.status).toBe('SUCCEEDED');
    expect(record.output).toEqual([1, 2, 3].map((n) => ({ output: { got: { n } } })));
    expect(nestedStarts.filter((start) => start.parent === record.executionArn)).toHaveLength(3);
  });
});
