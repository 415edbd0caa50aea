import { describe, expect, it } from 'vitest';
import { EmbeddedEngine, STATE_PAYLOAD_LIMIT_BYTES } from '../../src/embedded/stepfunctions/index.ts';
import {
  FUNCTIONS,
  type FunctionKey,
  loadDefinition,
  substitutionsFor,
} from '../../src/workflow/definition.ts';

// Engine semantics with hand-written functions; the real handlers are covered by workflow.test.ts.
const arn = (key: FunctionKey) =>
  `arn:aws:lambda:us-east-1:000000000000:function:test-${FUNCTIONS[key].folder}`;
const definition = loadDefinition(
  substitutionsFor({
    functionArns: { serialize: arn('serialize'), classify: arn('classify'), filter: arn('filter') },
    reviewBucket: 'review-bucket',
    reviewPrefix: 'review/',
  }),
);

interface Put {
  Bucket: string;
  Key: string;
  Body: string;
}

function engineWith(overrides: Partial<Record<FunctionKey, (event: never) => Promise<unknown>>>) {
  const puts: Put[] = [];
  const s3 = {
    send: async (command: { input: Put }) => {
      puts.push(command.input);
      return { ETag: '"x"' };
    },
  };
  const functions = {
    [arn('serialize')]:
      overrides.serialize ??
      (async (e: { s3_bucket: string; s3_key: string }) => ({ ...e, image_data: 'AA==' })),
    [arn('classify')]:
      overrides.classify ??
      (async (e: Record<string, unknown>) => ({
        inference_id: e.execution_name,
        s3_bucket: e.s3_bucket,
        s3_key: e.s3_key,
        inferences: [0.9, 0.1],
        predicted_label: 'bicycle',
        predicted_index: 0,
        confidence: 0.9,
      })),
    [arn('filter')]:
      overrides.filter ??
      (async (e: { confidence: number }) => ({
        ...e,
        confident: e.confidence >= 0.8,
        threshold: 0.8,
        decided_at: '2026-01-01T00:00:00Z',
      })),
  };
  const engine = new EmbeddedEngine({ definition, functions, clients: { s3: s3 as never }, retryDelayMs: 0 });
  return { engine, puts };
}

const input = { image_data: '', s3_bucket: 'images', s3_key: 'test/bicycle/a.png' };

describe('embedded engine', () => {
  it('routes a confident bicycle to short-range and records the history', async () => {
    const { engine } = engineWith({});
    const record = await engine.run(input, 'exec-1');
    expect(record.status).toBe('SUCCEEDED');
    expect(record.output).toMatchObject({
      decision: 'short-range',
      inference_id: 'exec-1', // the execution name, which the ASL hands ClassifyImage
      s3_key: 'test/bicycle/a.png',
      confidence: 0.9,
    });
    const entered = record.history.filter((e) => e.type === 'StateEntered').map((e) => e.state?.name);
    expect(entered).toEqual([
      'SerializeImageData',
      'ClassifyImage',
      'FilterInferences',
      'RouteByConfidence',
      'RouteShortRange',
    ]);
  });

  it('wraps results in the lambda:invoke envelope that OutputPath $.Payload unwraps', async () => {
    const { engine } = engineWith({});
    const record = await engine.run(input);
    const exited = record.history.find(
      (e) => e.type === 'StateExited' && e.state?.name === 'SerializeImageData',
    );
    expect(exited?.state?.output).toEqual({ ...input, image_data: 'AA==' });
  });

  it('writes a review item under the review prefix when confidence is low', async () => {
    const { engine, puts } = engineWith({
      classify: async () => ({
        inference_id: 'low-1',
        s3_bucket: 'images',
        s3_key: 'k',
        inferences: [0.55, 0.45],
        predicted_label: 'bicycle',
        predicted_index: 0,
        confidence: 0.55,
      }),
    });
    const record = await engine.run(input, 'low-1');
    expect(record.output).toMatchObject({
      decision: 'manual-review',
      review_item: { bucket: 'review-bucket', key: 'review/low-1.json' },
    });
    expect(puts).toHaveLength(1);
    expect(puts[0]?.Key).toBe('review/low-1.json');
    expect(JSON.parse(puts[0]?.Body ?? '{}')).toMatchObject({
      s3_key: 'k',
      inferences: [0.55, 0.45],
      decided_at: '2026-01-01T00:00:00Z',
    });
  });

  it('reports a function error by its errorType with the Lambda Cause JSON', async () => {
    class ImageNotFound extends Error {
      override name = 'ImageNotFound';
    }
    const { engine } = engineWith({
      serialize: async () => {
        throw new ImageNotFound('s3://images/nope.png does not exist');
      },
    });
    const record = await engine.run(input);
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('ImageNotFound');
    const cause = JSON.parse(record.cause ?? '{}');
    expect(cause).toMatchObject({
      errorType: 'ImageNotFound',
      errorMessage: 's3://images/nope.png does not exist',
    });
    expect(Array.isArray(cause.trace)).toBe(true);
    expect(record.history.at(-1)?.type).toBe('ExecutionFailed');
  });

  it('retries EndpointUnavailable, then succeeds', async () => {
    let calls = 0;
    class EndpointUnavailable extends Error {
      override name = 'EndpointUnavailable';
    }
    const { engine } = engineWith({
      classify: async () => {
        calls += 1;
        if (calls <= 2) throw new EndpointUnavailable('503');
        return {
          inference_id: 'retried',
          s3_bucket: 'images',
          s3_key: 'k',
          inferences: [0.1, 0.9],
          predicted_label: 'motorcycle',
          predicted_index: 1,
          confidence: 0.9,
        };
      },
    });
    const record = await engine.run(input);
    expect(calls).toBe(3);
    expect(record.output).toMatchObject({ decision: 'long-range' });
    expect(record.history.filter((e) => e.type === 'StateRetried')).toHaveLength(2);
  });

  it('fails with the terminal States.DataLimitExceeded when a result exceeds 256 KiB', async () => {
    const { engine } = engineWith({
      serialize: async () => ({ image_data: 'x'.repeat(STATE_PAYLOAD_LIMIT_BYTES) }),
    });
    const record = await engine.run(input);
    expect(record.status).toBe('FAILED');
    expect(record.error).toBe('States.DataLimitExceeded');
    // Terminal: Catch (States.ALL -> ClassificationFailed) must not have handled it.
    expect(record.history.some((e) => e.type === 'StateCaught')).toBe(false);
  });
});
