/**
 * JSONata and variables on the embedded engine (src/embedded/stepfunctions/jsonata/), with the
 * developer guide's own examples ("Transforming data with JSONata", "Passing data between states
 * with variables", "JSONata functions provided by Step Functions") and its error rules: a failing
 * or empty expression is States.QueryEvaluationError (catchable, the field named in the Cause), a
 * variable over 256 KiB is States.Runtime (never caught), and other executions run on.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validatedStateMachine } from '../../src/embedded/stepfunctions/validated-state-machine.ts';

type Handlers = Record<string, (input: unknown) => Promise<unknown>>;

async function run(definition: object, input: unknown, handlers: Handlers = {}) {
  const machine = validatedStateMachine(definition as never);
  try {
    const output = await machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
    }).result;
    return { status: 'SUCCEEDED', output };
  } catch (error) {
    const cause = (error as { cause?: Error }).cause ?? (error as Error);
    return { status: 'FAILED', error: cause.name, cause: cause.message };
  }
}

const TASK = 'arn:aws:states:::lambda:invoke';

describe('JSONata states', () => {
  it("turns the guide's JSONPath sample into JSONata with the same result", async () => {
    // "Transforming data with JSONata": Parameters/ResultSelector/ResultPath become Arguments and Output.
    const handlers: Handlers = { Task: async (input) => ({ Payload: { echoed: input } }) };
    const jsonPath = await run(
      {
        StartAt: 'Task',
        States: {
          Task: {
            Type: 'Task',
            Resource: TASK,
            Parameters: { FunctionName: 'f', Payload: { 'id.$': '$.customer.id' } },
            ResultSelector: { 'echoed.$': '$.Payload.echoed' },
            ResultPath: '$.result',
            End: true,
          },
        },
      },
      { customer: { id: 7 } },
      handlers,
    );
    const jsonata = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Task',
        States: {
          Task: {
            Type: 'Task',
            Resource: TASK,
            Arguments: { FunctionName: 'f', Payload: { id: '{% $states.input.customer.id %}' } },
            Output: "{% $merge([$states.input, {'result': {'echoed': $states.result.Payload.echoed}}]) %}",
            End: true,
          },
        },
      },
      { customer: { id: 7 } },
      handlers,
    );
    expect(jsonata).toEqual(jsonPath);
    expect(jsonata.output).toEqual({
      customer: { id: 7 },
      result: { echoed: { FunctionName: 'f', Payload: { id: 7 } } },
    });
  });

  it('evaluates an Assign all at once against the variables as they were, visible from the next state', async () => {
    const result = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { x: 1, y: 2 }, Next: 'Swap' },
          // Both right-hand sides read the old values: a swap, and Output sees the old ones too.
          Swap: {
            Type: 'Pass',
            Assign: { x: '{% $y %}', y: '{% $x %}' },
            Output: { during: '{% [$x, $y] %}' },
            Next: 'After',
          },
          After: {
            Type: 'Pass',
            Output: { during: '{% $states.input.during %}', after: '{% [$x, $y] %}' },
            End: true,
          },
        },
      },
      {},
    );
    expect(result).toEqual({ status: 'SUCCEEDED', output: { during: [1, 2], after: [2, 1] } });
  });

  it('lets Map iterations read the variables around them; what they assign stays inside', async () => {
    const result = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { factor: 10, seen: 'outer' }, Next: 'Each' },
          Each: {
            Type: 'Map',
            Items: '{% [1, 2, 3] %}',
            ItemSelector: {
              value: '{% $states.context.Map.Item.Value %}',
              index: '{% $states.context.Map.Item.Index %}',
            },
            ItemProcessor: {
              StartAt: 'Scale',
              States: {
                Scale: { Type: 'Pass', Assign: { seen: 'inner' }, Next: 'Read' },
                Read: {
                  Type: 'Pass',
                  Output: '{% $states.input.value * $factor + $states.input.index & $seen %}',
                  End: true,
                },
              },
            },
            Output: { items: '{% $states.result %}', seen: '{% $seen %}' },
            End: true,
          },
        },
      },
      {},
    );
    expect(result).toEqual({
      status: 'SUCCEEDED',
      output: { items: ['10inner', '21inner', '32inner'], seen: 'outer' },
    });
  });

  it("decides a Choice by its Conditions, with the matched rule's Assign and Output", async () => {
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Route',
      States: {
        Route: {
          Type: 'Choice',
          Choices: [
            {
              Condition: '{% $states.input.n > 10 %}',
              Next: 'Big',
              Assign: { size: 'big' },
              Output: { n: '{% $states.input.n %}' },
            },
          ],
          Default: 'Small',
          Assign: { size: 'small' },
        },
        Big: { Type: 'Pass', Output: { size: '{% $size %}', n: '{% $states.input.n %}' }, End: true },
        Small: { Type: 'Pass', Output: { size: '{% $size %}' }, End: true },
      },
    };
    expect(await run(definition, { n: 11, extra: true })).toEqual({
      status: 'SUCCEEDED',
      output: { size: 'big', n: 11 },
    });
    expect(await run(definition, { n: 1 })).toEqual({ status: 'SUCCEEDED', output: { size: 'small' } });
  });

  it('gives a Catch $states.errorOutput for its Output and Assign, and a Fail its Error and Cause', async () => {
    const result = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: TASK,
            Arguments: { FunctionName: 'f', Payload: '{% $states.input %}' },
            Catch: [
              {
                ErrorEquals: ['States.ALL'],
                Assign: { failure: '{% $states.errorOutput.Error %}' },
                Output: { cause: '{% $states.errorOutput.Cause %}', key: '{% $states.input.key %}' },
                Next: 'Failed',
              },
            ],
            End: true,
          },
          Failed: {
            Type: 'Fail',
            Error: '{% $failure %}',
            Cause: "{% 'could not read ' & $states.input.key & ': ' & $states.input.cause %}",
          },
        },
      },
      { key: 'a.png' },
      {
        Call: async () => {
          const error = new Error('no such key');
          error.name = 'ImageNotFound';
          throw error;
        },
      },
    );
    expect(result).toEqual({
      status: 'FAILED',
      error: 'ImageNotFound',
      cause: 'could not read a.png: no such key',
    });
  });

  it('fails a state whose expression gives nothing with States.QueryEvaluationError, naming the field; a Catch handles it', async () => {
    const failing = {
      QueryLanguage: 'JSONata',
      StartAt: 'Shape',
      States: { Shape: { Type: 'Pass', Output: { v: '{% $states.input.absent %}' }, End: true } },
    };
    expect(await run(failing, {})).toEqual({
      status: 'FAILED',
      error: 'States.QueryEvaluationError',
      cause:
        "An error occurred while executing the state 'Shape'. The JSONata expression '$states.input.absent' specified for the field 'Output/v' returned nothing (undefined).",
    });
    const thrown = await run(
      { ...failing, States: { Shape: { Type: 'Pass', Output: "{% $number('x') %}", End: true } } },
      {},
    );
    expect(thrown).toMatchObject({
      error: 'States.QueryEvaluationError',
      cause: expect.stringContaining("for the field 'Output' threw an error"),
    });
    const caught = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: TASK,
            Arguments: { FunctionName: 'f', Payload: { id: '{% $states.input.id %}' } },
            Catch: [
              {
                ErrorEquals: ['States.QueryEvaluationError'],
                Output: '{% $states.errorOutput %}',
                Next: 'Done',
              },
            ],
            End: true,
          },
          Done: { Type: 'Succeed' },
        },
      },
      {},
      { Call: async () => ({ Payload: 'never called' }) },
    );
    expect(caught).toMatchObject({
      status: 'SUCCEEDED',
      output: {
        Error: 'States.QueryEvaluationError',
        Cause: expect.stringContaining("'Arguments/Payload/id'"),
      },
    });
  });

  it('refuses a variable over 256 KiB with States.Runtime, which no Catch handles', async () => {
    const result = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Big',
        States: {
          Big: {
            Type: 'Task',
            Resource: TASK,
            Arguments: { FunctionName: 'f' },
            Assign: { blob: '{% $states.result.Payload %}' },
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Succeed' },
        },
      },
      {},
      { Big: async () => ({ Payload: 'x'.repeat(256 * 1024 + 1) }) },
    );
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: expect.stringContaining("The variable 'blob'"),
    });
  });

  it("has Step Functions' functions, and not $eval", async () => {
    const result = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Functions',
        States: {
          Functions: {
            Type: 'Pass',
            Output: {
              partition: '{% $partition %}',
              range: '{% $range(0, 10, 5) %}',
              hash: "{% $hash('scones', 'SHA-256') %}",
              random: '{% $random(42) = $random(42) %}',
              uuid: '{% $uuid() %}',
              parsed: '{% $parse(\'{"a": [1, 2]}\').a[1] %}',
            },
            End: true,
          },
        },
      },
      {},
    );
    expect(result.output).toEqual({
      partition: 'aws',
      range: [0, 5, 10],
      hash: createHash('sha256').update('scones').digest('hex'),
      random: true,
      uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      parsed: 2,
    });
    const evaluated = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'E',
        States: { E: { Type: 'Pass', Output: "{% $eval('1') %}", End: true } },
      },
      {},
    );
    expect(evaluated).toMatchObject({
      error: 'States.QueryEvaluationError',
      cause: expect.stringContaining('use $parse'),
    });
  });

  it('runs one JSONata state in a JSONPath state machine, and JSONPath states as before', async () => {
    const result = await run(
      {
        StartAt: 'Old',
        States: {
          Old: { Type: 'Pass', Parameters: { 'n.$': '$.n' }, Next: 'New' },
          New: {
            Type: 'Pass',
            QueryLanguage: 'JSONata',
            Output: { doubled: '{% $states.input.n * 2 %}' },
            End: true,
          },
        },
      },
      { n: 21, other: 1 },
    );
    expect(result).toEqual({ status: 'SUCCEEDED', output: { doubled: 42 } });
  });

  it('keeps running other executions while one fails', async () => {
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Wait',
      States: {
        Wait: { Type: 'Wait', Seconds: '{% $states.input.s %}', Next: 'Out' },
        Out: { Type: 'Pass', Output: '{% $states.input.v %}', End: true },
      },
    };
    const results = await Promise.all([
      run(definition, { s: 0, v: 'a' }),
      run(definition, { s: 0 }),
      run(definition, { s: 'soon', v: 'c' }),
      run(definition, { s: 0, v: 'd' }),
    ]);
    expect(results.map((each) => each.output ?? each.error)).toEqual([
      'a',
      'States.QueryEvaluationError',
      'States.QueryEvaluationError',
      'd',
    ]);
  });
});

describe('variables in JSONPath states', () => {
  it("assigns from the state's result with key.$ paths, and reads $name in Parameters, Choice and intrinsic functions", async () => {
    const result = await run(
      {
        StartAt: 'Fetch',
        States: {
          Fetch: {
            Type: 'Task',
            Resource: TASK,
            Parameters: { FunctionName: 'f', 'Payload.$': '$' },
            // $ is the Task's result here, before ResultSelector and OutputPath.
            Assign: { 'label.$': '$.Payload.label', 'status.$': '$.StatusCode', fixed: 'yes' },
            OutputPath: '$.Payload',
            Next: 'Route',
          },
          Route: {
            Type: 'Choice',
            Choices: [{ Variable: '$label', StringEquals: 'bicycle', Next: 'Short' }],
            Default: 'Long',
          },
          Short: {
            Type: 'Pass',
            Parameters: {
              'label.$': '$label',
              'status.$': '$status',
              'line.$': "States.Format('{} ({})', $label, $fixed)",
              'input.$': '$.label',
            },
            End: true,
          },
          Long: { Type: 'Fail', Error: 'WrongRoute' },
        },
      },
      { key: 'a.png' },
      { Fetch: async () => ({ StatusCode: 200, Payload: { label: 'bicycle' } }) },
    );
    expect(result).toEqual({
      status: 'SUCCEEDED',
      output: { label: 'bicycle', status: 200, line: 'bicycle (yes)', input: 'bicycle' },
    });
  });

  it("assigns a Catch's variables from the error output, and Map iterations read the variables around them", async () => {
    const result = await run(
      {
        StartAt: 'Try',
        States: {
          Try: {
            Type: 'Task',
            Resource: TASK,
            Parameters: { FunctionName: 'f' },
            Catch: [
              { ErrorEquals: ['States.ALL'], Assign: { 'why.$': '$.Error' }, ResultPath: null, Next: 'Each' },
            ],
            End: true,
          },
          Each: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: {
              StartAt: 'Tag',
              States: { Tag: { Type: 'Pass', Parameters: { 'item.$': '$', 'why.$': '$why' }, End: true } },
            },
            End: true,
          },
        },
      },
      { items: [1, 2] },
      {
        Try: async () => {
          const error = new Error('down');
          error.name = 'EndpointUnavailable';
          throw error;
        },
      },
    );
    expect(result).toEqual({
      status: 'SUCCEEDED',
      output: [
        { item: 1, why: 'EndpointUnavailable' },
        { item: 2, why: 'EndpointUnavailable' },
      ],
    });
  });

  it('assigns once for a state that was retried', async () => {
    let calls = 0;
    const result = await run(
      {
        StartAt: 'Flaky',
        States: {
          Flaky: {
            Type: 'Task',
            Resource: TASK,
            Parameters: { FunctionName: 'f' },
            Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 0, MaxAttempts: 2 }],
            Assign: { 'attempt.$': '$.attempt' },
            Next: 'Show',
          },
          Show: { Type: 'Pass', Parameters: { 'attempt.$': '$attempt' }, End: true },
        },
      },
      {},
      {
        Flaky: async () => {
          calls += 1;
          if (calls < 2) {
            const error = new Error('again');
            error.name = 'Flaky';
            throw error;
          }
          return { attempt: calls };
        },
      },
    );
    expect(result).toEqual({ status: 'SUCCEEDED', output: { attempt: 2 } });
  });
});
