/**
 * The embedded metric format: a document's metrics extracted as the specification says (one
 * datum per metric and dimension set, values lists, Unit, StorageResolution, `_aws.Timestamp`),
 * an invalid document giving none; and on a running stack, the kit's Lambdas' EMF lines read back
 * with GetMetricStatistics through @aws-sdk/client-cloudwatch, an invalid one counted in AWS/Logs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  type GetMetricStatisticsCommandInput,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../src/config.ts';
import { type CloudWatchService, createCloudWatchService } from '../../../src/embedded/cloudwatch/index.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../../src/embedded/sagemaker-runtime/index.ts';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../../../src/workflow/metrics.ts';
import { readCifarRecord, rgbToPng } from '../../lambdas/images.ts';

const NOW = Date.UTC(2026, 11, 7, 9, 0, 0);

const doc = (aws: unknown, members: Record<string, unknown>) => JSON.stringify({ _aws: aws, ...members });
const directive = (overrides: Record<string, unknown> = {}) => ({
  Namespace: 'App',
  Dimensions: [['service'], ['service', 'route']],
  Metrics: [
    { Name: 'Latency', Unit: 'Milliseconds', StorageResolution: 1 },
    { Name: 'Hits', Unit: 'Count' },
  ],
  ...overrides,
});
const members = { service: 'shop', route: 'short', Latency: [10, 30], Hits: 1 };

describe('emf extraction', () => {
  let dir: string;
  let service: CloudWatchService;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scones-emf-'));
    service = await createCloudWatchService({ dataDir: dir, now: () => NOW, evaluationIntervalMs: 0 });
  });
  afterAll(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  const stats = async (metricName: string, dimensions: Record<string, string>, extra = {}) =>
    (await service.call('GetMetricStatistics', {
      Namespace: 'App',
      MetricName: metricName,
      Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
      StartTime: (NOW - 600_000) / 1000,
      EndTime: NOW / 1000,
      Period: 60,
      Statistics: ['Sum', 'SampleCount', 'Maximum'],
      ...extra,
    })) as { Datapoints: { Sum: number; SampleCount: number; Maximum: number; Unit: string }[] };

  it('puts each metric once per dimension set, at _aws.Timestamp, with its unit', async () => {
    const line = doc({ Timestamp: NOW - 120_000, CloudWatchMetrics: [directive()] }, members);
    expect(service.ingestEmf(line)).toEqual({ kind: 'metrics', datums: 4 });
    const bySet = await stats('Latency', { service: 'shop' });
    expect(bySet.Datapoints).toEqual([expect.objectContaining({ Sum: 40, SampleCount: 2, Maximum: 30 })]);
    expect(bySet.Datapoints[0]?.Unit).toBe('Milliseconds');
    const byRoute = await stats('Hits', { service: 'shop', route: 'short' });
    expect(byRoute.Datapoints).toEqual([expect.objectContaining({ Sum: 1, Unit: 'Count' })]);
    // Stored at one-second resolution: a 1 s period reads it back.
    const fine = await stats('Latency', { service: 'shop' }, { Period: 1 });
    expect(fine.Datapoints).toHaveLength(1);
  });

  it('gives no metric for a document that breaks the specification, and says why', async () => {
    const cases: [string, RegExp][] = [
      [doc({ CloudWatchMetrics: [directive()] }, members), /Timestamp/],
      [
        doc({ Timestamp: NOW, CloudWatchMetrics: [directive()] }, { ...members, route: 7 }),
        /dimension route/,
      ],
      [doc({ Timestamp: NOW, CloudWatchMetrics: [directive()] }, { ...members, Hits: 'one' }), /metric Hits/],
      [
        doc(
          { Timestamp: NOW, CloudWatchMetrics: [directive()] },
          { service: 'shop', route: 'r', Latency: 1 },
        ),
        /Hits/,
      ],
      [
        doc(
          { Timestamp: NOW, CloudWatchMetrics: [directive({ Metrics: [{ Name: 'Hits', Unit: 'Apples' }] })] },
          members,
        ),
        /Unit "Apples"/,
      ],
      [
        doc(
          {
            Timestamp: NOW,
            CloudWatchMetrics: [directive({ Metrics: [{ Name: 'Hits', StorageResolution: 5 }] })],
          },
          members,
        ),
        /StorageResolution/,
      ],
      [doc({ Timestamp: NOW, CloudWatchMetrics: [directive({ Namespace: '' })] }, members), /Namespace/],
      // Valid in form, but three weeks old: PutMetricData's rule refuses it.
      [
        doc({ Timestamp: NOW - 21 * 86_400_000, CloudWatchMetrics: [directive()] }, members),
        /Timestamp|old/i,
      ],
    ];
    for (const [line, reason] of cases) {
      const result = service.ingestEmf(line);
      expect(result.kind, line).toBe('invalid');
      expect((result as { reason: string }).reason).toMatch(reason);
    }
    expect(service.ingestEmf('{"level":"INFO","message":"hello"}')).toEqual({ kind: 'none' });
    expect(service.ingestEmf('plain text with "_aws" in it')).toEqual({ kind: 'none' });
    // Nothing of the refused documents was put: the sums are those of the first test alone.
    expect((await stats('Hits', { service: 'shop' })).Datapoints).toEqual([
      expect.objectContaining({ Sum: 1 }),
    ]);
  });
});

describe('the Lambdas’ EMF lines on a running stack', () => {
  let dir: string;
  let runtime: EmbeddedRuntime;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scones-emf-stack-'));
    runtime = await startEmbeddedRuntime({
      dataDir: dir,
      stepFunctionsApi: true,
      port: 0,
      s3Thread: false,
      retryDelayMs: 0,
      predictor: createStubPredictor({ probabilities: [0.95, 0.05] }),
    });
  }, 60_000);
  afterAll(async () => {
    await runtime?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('GetMetricStatistics reads back the decisions the classification put', async () => {
    const png = await rgbToPng((await readCifarRecord(0)).rgb);
    await runtime.s3.send(
      new PutObjectCommand({ Bucket: runtime.config.bucket, Key: 'orders/1.png', Body: png }),
    );
    const started = Date.now();
    for (const name of ['emf-1', 'emf-2']) {
      const record = await runtime.run({ s3_bucket: runtime.config.bucket, s3_key: 'orders/1.png' }, name);
      expect(record.status).toBe('SUCCEEDED');
    }
    runtime.runLog.flush();
    // A line that names a function but breaks the specification: a log line only, counted.
    runtime.runLog.write(JSON.stringify({ _aws: { CloudWatchMetrics: [] }, function_name: 'broken-fn' }));
    runtime.runLog.flush();

    const client = new CloudWatchClient({
      endpoint: runtime.localS3.endpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    const read = (input: Partial<GetMetricStatisticsCommandInput>) =>
      client.send(
        new GetMetricStatisticsCommand({
          StartTime: new Date(started - 120_000),
          EndTime: new Date(Date.now() + 60_000),
          Period: 3600,
          Statistics: ['Sum', 'SampleCount'],
          Namespace: METRICS_NAMESPACE,
          MetricName: METRIC.confidence,
          ...input,
        }),
      );
    // The deployed function names are the stage's: the series are found as the Lambda wrote them.
    const listed = await client.send(
      new ListMetricsCommand({ Namespace: METRICS_NAMESPACE, MetricName: METRIC.decisions }),
    );
    const series = listed.Metrics ?? [];
    expect(series.length).toBeGreaterThan(0);
    const names = series[0]?.Dimensions?.map((dimension) => dimension.Name).sort();
    expect(names).toEqual([DIMENSION.functionName, DIMENSION.route, DIMENSION.service].sort());
    let decisions = 0;
    for (const metric of series) {
      const answer = await read({ MetricName: METRIC.decisions, Dimensions: metric.Dimensions });
      decisions += answer.Datapoints?.reduce((sum, point) => sum + (point.Sum ?? 0), 0) ?? 0;
    }
    expect(decisions).toBe(2);
    const errors = await read({
      Namespace: 'AWS/Logs',
      MetricName: 'EMFValidationErrors',
      Dimensions: [{ Name: 'LogGroupName', Value: '/aws/lambda/broken-fn' }],
    });
    expect(errors.Datapoints?.[0]?.Sum).toBe(1);
    client.destroy();
  });
});
