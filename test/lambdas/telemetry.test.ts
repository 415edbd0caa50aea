/**
 * What the Lambdas write besides their result: Powertools log records and CloudWatch EMF
 * documents, parsed back as CloudWatch would read them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createClassifyHandler } from '../../lambdas/classify-image/handler.ts';
import { routeOf } from '../../lambdas/filter-inferences/filter.ts';
import { createHandler as createFilterHandler } from '../../lambdas/filter-inferences/handler.ts';
import { instrument, MetricUnit } from '../../lambdas/shared/telemetry.ts';
import { createSageMakerRuntimeClient } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { EndpointUnavailable, InvalidEvent } from '../../src/workflow/errors.ts';
import type { Classification } from '../../src/workflow/types.ts';
import { type BareAnswer, type BareEndpoint, startBareEndpoint } from './bare-endpoint.ts';
import { invokeLambdaEntry } from './lambda-entry.ts';
import { captureTelemetry, metricPoints, parseLines } from './telemetry-capture.ts';

const CONTEXT = { functionName: 'scones-dev-filter-inferences', awsRequestId: 'req-1' };

function classification(inferences: [number, number], inferenceId = 'exec-1'): Classification {
  const index = inferences[1] > inferences[0] ? 1 : 0;
  return {
    inference_id: inferenceId,
    s3_bucket: 'images',
    s3_key: `orders/${inferenceId}.png`,
    inferences,
    predicted_index: index,
    predicted_label: index === 1 ? 'motorcycle' : 'bicycle',
    confidence: inferences[index],
  };
}

describe('FilterInferences telemetry', () => {
  it('publishes Confidence and LowConfidence, and Decisions by route, in the Scones namespace', async () => {
    const captured = captureTelemetry();
    const filter = createFilterHandler({ threshold: 0.8, telemetry: captured.options });
    await filter(classification([0.07, 0.93], 'exec-a'), CONTEXT);
    await filter(classification([0.55, 0.45], 'exec-b'), CONTEXT);

    const documents = captured.emf();
    // Per invocation: one document by service and function (ColdStart joins the first), one by route.
    expect(documents).toHaveLength(4);
    for (const document of documents) {
      expect(document._aws.CloudWatchMetrics[0]?.Namespace).toBe('Scones');
      expect(document.service).toBe('scones');
      expect(document.function_name).toBe('scones-dev-filter-inferences');
      expect(Math.abs(document._aws.Timestamp - Date.now())).toBeLessThan(60_000);
    }
    const base = { service: 'scones', function_name: 'scones-dev-filter-inferences' };
    expect(captured.points('ColdStart').map((p) => [p.value, p.dimensions])).toEqual([[1, base]]);
    expect(captured.points('Confidence').map((p) => [p.value, p.unit, p.dimensions])).toEqual([
      [0.93, 'None', base],
      [0.55, 'None', base],
    ]);
    expect(captured.points('LowConfidence').map((p) => [p.value, p.document.inference_id])).toEqual([
      [0, 'exec-a'],
      [1, 'exec-b'],
    ]);
    expect(captured.points('Decisions').map((p) => [p.value, p.unit, p.dimensions])).toEqual([
      [1, 'Count', { ...base, route: 'long-range' }],
      [1, 'Count', { ...base, route: 'manual-review' }],
    ]);
  });

  it('logs one decision record per invocation with the inference id and image key', async () => {
    const captured = captureTelemetry();
    const filter = createFilterHandler({ threshold: 0.8, telemetry: captured.options });
    await filter(classification([0.9, 0.1], 'exec-c'), CONTEXT);
    await filter(classification([0.85, 0.15], 'exec-d'), { ...CONTEXT, awsRequestId: 'req-2' });
    const logs = captured.logs();
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatchObject({
      level: 'INFO',
      message: 'decision',
      service: 'scones',
      cold_start: true,
      function_name: 'scones-dev-filter-inferences',
      function_request_id: 'req-1',
      inference_id: 'exec-c',
      s3_bucket: 'images',
      s3_key: 'orders/exec-c.png',
      route: 'short-range',
      confident: true,
      threshold: 0.8,
    });
    expect(logs[1]).toMatchObject({
      cold_start: false,
      function_request_id: 'req-2',
      inference_id: 'exec-d',
    });
    expect(Date.parse(logs[0]?.timestamp ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('logs a refused event at ERROR and counts it as Errors by name', async () => {
    const captured = captureTelemetry();
    const filter = createFilterHandler({ threshold: 0.8, telemetry: captured.options });
    const bad = { ...classification([0.1, 0.9], 'exec-e'), inference_id: ' not an id' };
    await expect(filter(bad, CONTEXT)).rejects.toBeInstanceOf(InvalidEvent);
    const [record] = captured.logs();
    expect(record).toMatchObject({
      level: 'ERROR',
      message: 'FilterInferences failed: InvalidEvent',
      error_name: 'InvalidEvent',
      s3_key: 'orders/exec-e.png',
      error: { name: 'InvalidEvent', message: expect.stringContaining('"inference_id" must be 1-64') },
    });
    expect(captured.points('Errors').map((p) => [p.value, p.dimensions.error])).toEqual([
      [1, 'InvalidEvent'],
    ]);
    expect(captured.points('Decisions')).toEqual([]);
  });

  it('routes as the ASL Choice does', () => {
    expect(routeOf({ confident: true, predicted_label: 'bicycle' })).toBe('short-range');
    expect(routeOf({ confident: true, predicted_label: 'motorcycle' })).toBe('long-range');
    expect(routeOf({ confident: false, predicted_label: 'bicycle' })).toBe('manual-review');
    expect(routeOf({ confident: false, predicted_label: 'motorcycle' })).toBe('manual-review');
  });
});

describe('ClassifyImage telemetry', () => {
  let bare: BareEndpoint;
  // A little latency, so ModelLatency has something to measure.
  let answer: BareAnswer = { body: '[0.2, 0.8]', delayMs: 20 };

  beforeAll(async () => {
    bare = await startBareEndpoint(() => answer);
  });

  afterAll(async () => {
    await bare.stop();
  });

  const classifyWith = (options: ReturnType<typeof captureTelemetry>['options']) =>
    createClassifyHandler({
      runtime: createSageMakerRuntimeClient(
        loadConfig({ SCONES_TARGET: 'embedded', AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: bare.url }),
        { maxAttempts: 1 },
      ),
      endpointName: 'telemetry-endpoint',
      telemetry: options,
    });
  const event = {
    s3_bucket: 'images',
    s3_key: 'orders/17.png',
    image_data: Buffer.from('png').toString('base64'),
    execution_name: 'exec-17',
  };

  it('publishes ModelLatency (the endpoint call) and logs the classification keyed by inference id', async () => {
    const captured = captureTelemetry();
    answer = { body: '[0.2, 0.8]', delayMs: 20 };
    await classifyWith(captured.options)(event, { functionName: 'scones-dev-classify-image' });
    const [latency] = captured.points('ModelLatency');
    expect(latency?.unit).toBe('Milliseconds');
    expect(latency?.value).toBeGreaterThanOrEqual(15);
    expect(latency?.value).toBeLessThan(5_000);
    expect(latency?.dimensions).toEqual({ service: 'scones', function_name: 'scones-dev-classify-image' });
    expect(latency?.document.inference_id).toBe('exec-17');
    expect(captured.logs()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'image classified',
        inference_id: 'exec-17',
        execution_name: 'exec-17',
        s3_key: 'orders/17.png',
        predicted_label: 'motorcycle',
        confidence: 0.8,
        model_latency_ms: latency?.value,
      }),
    ]);
  });

  it('logs an endpoint outage at WARN (Step Functions retries it) and counts EndpointUnavailable', async () => {
    const captured = captureTelemetry();
    answer = {
      status: 503,
      headers: { 'x-amzn-ErrorType': 'ServiceUnavailable' },
      body: '{"message":"down"}',
    };
    await expect(classifyWith(captured.options)(event)).rejects.toBeInstanceOf(EndpointUnavailable);
    expect(captured.logs()).toEqual([
      expect.objectContaining({ level: 'WARN', error_name: 'EndpointUnavailable', inference_id: 'exec-17' }),
    ]);
    expect(captured.points('Errors').map((p) => p.dimensions)).toEqual([
      { service: 'scones', function_name: 'ClassifyImage', error: 'EndpointUnavailable' },
    ]);
    expect(captured.points('ModelLatency')).toEqual([]);
  });
});

describe('instrument', () => {
  it('keeps the keys of concurrent invocations apart (the embedded tier runs hundreds at once)', async () => {
    const captured = captureTelemetry();
    const handler = instrument('Concurrent', captured.options, async (event, invocation) => {
      const { delay } = event as { delay: number };
      await sleep(delay);
      invocation.info('done');
      invocation.metric('Work', MetricUnit.Count, delay);
      return delay;
    });
    await Promise.all(
      [30, 10, 20].map((delay) => handler({ inference_id: `id-${delay}`, delay, s3_key: `k-${delay}` })),
    );
    const logs = captured.logs();
    expect(logs.map((record) => [record.inference_id, record.s3_key])).toEqual([
      ['id-10', 'k-10'],
      ['id-20', 'k-20'],
      ['id-30', 'k-30'],
    ]);
    const work = captured.points('Work');
    expect(work.map((point) => [point.value, point.document.inference_id])).toEqual([
      [10, 'id-10'],
      [20, 'id-20'],
      [30, 'id-30'],
    ]);
    expect(logs.filter((record) => record.cold_start === true)).toHaveLength(1);
  });

  it('takes the level, service and namespace from the environment, and can turn metrics off', async () => {
    const captured = captureTelemetry({
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_SERVICE_NAME: 'scones-test',
      POWERTOOLS_METRICS_NAMESPACE: 'SconesTest',
    });
    const handler = instrument('Levels', captured.options, async (_event, invocation) => {
      invocation.info('not at WARN');
      invocation.metric('Work', MetricUnit.Count, 1);
    });
    await handler({});
    expect(captured.logs()).toEqual([]);
    expect(captured.points('Work').map((p) => [p.namespace, p.dimensions.service])).toEqual([
      ['SconesTest', 'scones-test'],
    ]);

    const off = captureTelemetry({ POWERTOOLS_METRICS_DISABLED: 'true' });
    await instrument('Off', off.options, async (_event, invocation) => {
      invocation.metric('Work', MetricUnit.Count, 1);
    })({});
    expect(off.emf()).toEqual([]);
  });

  it('counts no cold start in a provisioned-concurrency environment', async () => {
    const captured = captureTelemetry({ AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' });
    await instrument('Warm', captured.options, async (_event, invocation) => invocation.info('hi'))({});
    expect(captured.logs()[0]?.cold_start).toBe(false);
    expect(captured.points('ColdStart')).toEqual([]);
  });

  it('rethrows what the handler threw, unchanged, with an odd name counted as Error', async () => {
    const captured = captureTelemetry();
    const odd = Object.assign(new Error('boom'), { name: 'not a name!' });
    const handler = instrument('Odd', captured.options, async () => {
      throw odd;
    });
    await expect(handler('not even an object')).rejects.toBe(odd);
    expect(captured.points('Errors').map((p) => p.dimensions.error)).toEqual(['Error']);
  });
});

describe('Lambda entry telemetry', () => {
  it('writes JSON log records and EMF documents to stdout, as Lambda ships them to CloudWatch', async () => {
    const outcome = await invokeLambdaEntry(
      'lambdas/filter-inferences/handler.ts',
      classification([0.3, 0.7], 'exec-entry'),
      { THRESHOLD: '0.8', POWERTOOLS_SERVICE_NAME: 'scones', POWERTOOLS_METRICS_NAMESPACE: 'Scones' },
      { functionName: 'scones-dev-filter-inferences', awsRequestId: 'entry-1' },
    );
    expect(outcome).toMatchObject({ result: { inference_id: 'exec-entry', confident: false } });
    const { logs, emf } = parseLines(outcome.stdout);
    expect(logs).toEqual([
      expect.objectContaining({
        message: 'decision',
        inference_id: 'exec-entry',
        function_request_id: 'entry-1',
      }),
    ]);
    expect(metricPoints(emf).find((p) => p.name === 'Decisions')?.dimensions).toEqual({
      service: 'scones',
      function_name: 'scones-dev-filter-inferences',
      route: 'manual-review',
    });
  });
});
