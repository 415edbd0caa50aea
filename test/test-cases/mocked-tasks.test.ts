/**
 * The mock-config semantics on the embedded engine (src/embedded/stepfunctions/integrations/mocked-tasks.ts), with the
 * project's ASL and hand-written functions that count their real calls: invocation counters per
 * state and per execution, ranges, Return as the lambda:invoke envelope, Throw through Retry and
 * Catch, an invocation past the last key failing the execution, unmocked states running for real.
 */
import { describe, expect, it } from 'vitest';
import { EmbeddedEngine, mockedTaskHandlers } from '../../src/embedded/stepfunctions/index.ts';
import { outcomeOf } from '../../src/test-cases/outcome.ts';
import {
  FUNCTIONS,
  type FunctionKey,
  loadDefinition,
  substitutionsFor,
} from '../../src/workflow/definition.ts';
import { parseMockConfig } from '../../src/workflow/mock-config.ts';

const MACHINE = 'probe-machine';
const arn = (key: FunctionKey) =>
  `arn:aws:lambda:us-east-1:000000000000:function:probe-${FUNCTIONS[key].folder}`;
const definition = loadDefinition(
  substitutionsFor({
    functionArns: { serialize: arn('serialize'), classify: arn('classify'), filter: arn('filter') },
    reviewBucket: 'review-bucket',
    reviewPrefix: 'review/',
  }),
);
const classification = {
  inference_id: 'i-1',
  s3_bucket: 'images',
  s3_key: 'k.png',
  inferences: [0.1, 0.9],
  predicted_label: 'motorcycle',
  predicted_index: 1,
  confidence: 0.9,
};
const unavailable = { Throw: { Error: 'EndpointUnavailable', Cause: '{"errorMessage":"503"}' } };

const config = parseMockConfig({
  StateMachines: {
    [MACHINE]: {
      TestCases: {
        Recovers: { ClassifyImage: 'TwiceDownThenUp' },
        Refused: { ClassifyImage: 'Refused' },
        TooFewResponses: { ClassifyImage: 'DownOnce' },
      },
    },
  },
  MockedResponses: {
    TwiceDownThenUp: {
      '0-1': unavailable,
      '2': { Return: { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: classification } },
    },
    Refused: { '0': { Throw: { Error: 'EndpointError', Cause: 'ModelError' } } },
    DownOnce: { '0': unavailable },
  },
});

function setUp() {
  const calls: Record<FunctionKey, number> = { serialize: 0, classify: 0, filter: 0 };
  const functions = {
    [arn('serialize')]: async (event: Record<string, unknown>) => {
      calls.serialize++;
      return { ...event, image_data: 'AA==' };
    },
    [arn('classify')]: async () => {
      calls.classify++;
      throw new Error('the real ClassifyImage must not run when it is mocked');
    },
    [arn('filter')]: async (event: { confidence: number }) => {
      calls.filter++;
      return {
        ...event,
        confident: event.confidence >= 0.8,
        threshold: 0.8,
        decided_at: '2026-01-01T00:00:00Z',
      };
    },
  };
  const s3 = { send: async () => ({ ETag: '"e"' }) };
  const engine = new EmbeddedEngine({ definition, functions, clients: { s3: s3 as never }, retryDelayMs: 0 });
  const run = (testCase: string, name: string) =>
    engine.run({ s3_bucket: 'images', s3_key: 'k.png' }, name, {
      taskHandlers: mockedTaskHandlers(config, MACHINE, testCase),
    });
  return { run, calls };
}

describe('mocked service integrations on the embedded engine', () => {
  it('counts invocations per state, retries included; ranges pick the response; Return is the envelope', async () => {
    const { run, calls } = setUp();
    const record = await run('Recovers', 'r-1');
    expect(record.status).toBe('SUCCEEDED');
    // OutputPath $.Payload unwrapped the mocked envelope: the route reads the mocked classification.
    expect(record.output).toMatchObject({ decision: 'long-range', confidence: 0.9 });
    expect(outcomeOf(record).attempts).toEqual({
      SerializeImageData: 1,
      ClassifyImage: 3,
      FilterInferences: 1,
    });
    // States without a mock ran for real; the mocked one never reached its function.
    expect(calls).toEqual({ serialize: 1, classify: 0, filter: 1 });
  });

  it('starts the counters afresh for each execution', async () => {
    const { run } = setUp();
    const outcomes = [await run('Recovers', 'a'), await run('Recovers', 'b')].map((record) =>
      outcomeOf(record),
    );
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[1]?.attempts.ClassifyImage).toBe(3);
  });

  it('sends a mocked Throw through Catch with its Error and Cause', async () => {
    const { run } = setUp();
    const record = await run('Refused', 'refused-1');
    expect(record).toMatchObject({ status: 'FAILED', error: 'EndpointError', cause: 'ModelError' });
    expect(outcomeOf(record).states).toEqual(['SerializeImageData', 'ClassifyImage', 'ClassificationFailed']);
  });

  it('fails the execution when an invocation has no mocked response, past Retry and Catch', async () => {
    const { run } = setUp();
    const record = await run('TooFewResponses', 'few-1');
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('States.Runtime');
    expect(record.cause).toContain(
      'No mocked response for state "ClassifyImage" (mocked response "DownOnce") at invocation 1',
    );
    // Not caught by the States.ALL catcher: ClassificationFailed is never entered.
    expect(outcomeOf(record).states).toEqual(['SerializeImageData', 'ClassifyImage']);
  });

  it('names a missing test case or state machine', () => {
    expect(() => mockedTaskHandlers(config, MACHINE, 'Nope')).toThrow(
      `state machine "${MACHINE}" has no test case "Nope"`,
    );
    expect(() => mockedTaskHandlers(config, 'other', 'Recovers')).toThrow(
      'the mock configuration has no state machine "other" (it has: probe-machine)',
    );
  });
});
