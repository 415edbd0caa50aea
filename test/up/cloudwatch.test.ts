/**
 * The stack's CloudWatch through `@aws-sdk/client-cloudwatch` at the printed export: metrics put,
 * read back as statistics and as GetMetricData, an alarm on them that goes to ALARM and shows so
 * in DescribeAlarms; errors as the SDK names them; hostile input answered in CloudWatch's envelope
 * while the port keeps serving.
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/config.ts';
import { startTestStack, type TestStack } from './support.ts';

let test: TestStack;
let cloudwatch: CloudWatchClient;
let endpoint: string;

const MINUTE = 60_000;
/** The start of the minute two minutes ago: a complete period the alarm evaluates. */
const minuteAgo = (n: number) => new Date(Math.floor(Date.now() / MINUTE) * MINUTE - n * MINUTE);
const DIMENSIONS = [{ Name: 'EndpointName', Value: 'scones-dev' }];

beforeAll(async () => {
  test = await startTestStack();
  endpoint = test.stack.environment.AWS_ENDPOINT_URL_CLOUDWATCH as string;
  cloudwatch = new CloudWatchClient({
    endpoint,
    region: 'us-east-1',
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 1,
  });
}, 60_000);

afterAll(async () => {
  cloudwatch?.destroy();
  await test?.close();
});

describe('CloudWatch on the stack', () => {
  it('exports AWS_ENDPOINT_URL_CLOUDWATCH before AWS_DEFAULT_REGION, the last line', () => {
    const names = Object.keys(test.stack.environment);
    expect(endpoint).toBe(test.stack.endpoint);
    expect(names.at(-1)).toBe('AWS_DEFAULT_REGION');
  });

  it('PutMetricData, then ListMetrics, GetMetricStatistics and GetMetricData read it back', async () => {
    const at = minuteAgo(2);
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Scones/Test',
        MetricData: [
          {
            MetricName: 'Latency',
            Dimensions: DIMENSIONS,
            Timestamp: new Date(at.getTime() + 1000),
            Values: [10, 20, 30],
            Counts: [1, 1, 2],
            Unit: 'Milliseconds',
          },
          {
            MetricName: 'Latency',
            Dimensions: DIMENSIONS,
            Timestamp: new Date(at.getTime() + 2000),
            Value: 40,
            Unit: 'Milliseconds',
          },
          {
            MetricName: 'Errors',
            Dimensions: DIMENSIONS,
            Timestamp: new Date(at.getTime() + 3000),
            StatisticValues: { SampleCount: 4, Sum: 12, Minimum: 1, Maximum: 5 },
          },
        ],
      }),
    );
    const listed = await cloudwatch.send(
      new ListMetricsCommand({ Namespace: 'Scones/Test', Dimensions: [{ Name: 'EndpointName' }] }),
    );
    expect(listed.Metrics?.map((m) => m.MetricName).sort()).toEqual(['Errors', 'Latency']);
    const statistics = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Scones/Test',
        MetricName: 'Latency',
        Dimensions: DIMENSIONS,
        StartTime: minuteAgo(10),
        EndTime: new Date(),
        Period: 60,
        Statistics: ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'],
        ExtendedStatistics: ['p50'],
      }),
    );
    expect(statistics.Label).toBe('Latency');
    expect(statistics.Datapoints).toHaveLength(1);
    expect(statistics.Datapoints?.[0]).toMatchObject({
      Timestamp: at,
      SampleCount: 5,
      Sum: 130,
      Average: 26,
      Minimum: 10,
      Maximum: 40,
      Unit: 'Milliseconds',
      ExtendedStatistics: { p50: 30 },
    });
    const data = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: minuteAgo(10),
        EndTime: new Date(),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          {
            Id: 'errors',
            MetricStat: {
              Metric: { Namespace: 'Scones/Test', MetricName: 'Errors', Dimensions: DIMENSIONS },
              Period: 60,
              Stat: 'Sum',
            },
          },
          {
            Id: 'p99',
            MetricStat: {
              Metric: { Namespace: 'Scones/Test', MetricName: 'Latency', Dimensions: DIMENSIONS },
              Period: 300,
              Stat: 'p99',
            },
          },
        ],
      }),
    );
    expect(data.MetricDataResults?.map((r) => [r.Id, r.Values, r.StatusCode])).toEqual([
      ['errors', [12], 'Complete'],
      ['p99', [40], 'Complete'],
    ]);
    expect(data.MetricDataResults?.[0]?.Timestamps).toEqual([at]);
  });

  it('PutMetricAlarm on the metric goes to ALARM, DescribeAlarms shows it with its reason', async () => {
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Scones/Test',
        MetricData: [
          {
            MetricName: 'Invocation5XXErrors',
            Dimensions: DIMENSIONS,
            Timestamp: new Date(minuteAgo(1).getTime() + 500),
            Value: 7,
          },
        ],
      }),
    );
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'scones-dev-5xx',
        Namespace: 'Scones/Test',
        MetricName: 'Invocation5XXErrors',
        Dimensions: DIMENSIONS,
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: ['arn:aws:sns:us-east-1:000000000000:scones-dev-alerts'],
      }),
    );
    const { MetricAlarms } = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'scones-dev-', StateValue: 'ALARM' }),
    );
    expect(MetricAlarms).toHaveLength(1);
    const [alarm] = MetricAlarms ?? [];
    expect(alarm).toMatchObject({
      AlarmName: 'scones-dev-5xx',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:scones-dev-5xx',
      StateValue: 'ALARM',
      AlarmActions: ['arn:aws:sns:us-east-1:000000000000:scones-dev-alerts'],
      DatapointsToAlarm: 1,
    });
    expect(alarm?.StateReason).toMatch(/^Threshold Crossed: 1 out of the last 3 datapoints \[7\.0 /);
    expect(alarm?.StateUpdatedTimestamp).toBeInstanceOf(Date);
    expect(JSON.parse(alarm?.StateReasonData ?? '{}').recentDatapoints).toEqual([7]);
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: 'scones-dev-5xx', StateValue: 'OK', StateReason: 'by hand' }),
    );
    const after = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['scones-dev-5xx'] }));
    expect(after.MetricAlarms?.[0]).toMatchObject({ StateValue: 'OK', StateReason: 'by hand' });
    // Kept under <dataDir>/cloudwatch, as the logs are under <dataDir>/cloudwatch-logs.
    const journal = path.join(test.dataDir, 'cloudwatch', 'journal.jsonl');
    await vi.waitFor(async () => expect(await readFile(journal, 'utf8')).toContain('"by hand"'), {
      timeout: 5000,
    });
  });

  it('pages DescribeAlarms with NextToken, and DeleteAlarms refuses an unknown name by name', async () => {
    for (const n of [1, 2, 3])
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: `page-${n}`,
          Namespace: 'Scones/Test',
          MetricName: 'Errors',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
    const first = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-', MaxRecords: 2 }),
    );
    expect(first.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['page-1', 'page-2']);
    const second = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-', MaxRecords: 2, NextToken: first.NextToken }),
    );
    expect(second.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['page-3']);
    expect(second.NextToken).toBeUndefined();
    await expect(
      cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['page-1', 'nope'] })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['page-1', 'page-2', 'page-3'] }));
    const gone = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-' }));
    expect(gone.MetricAlarms).toEqual([]);
  });

  it('takes a PutMetricData of 1,000 datums, which the SDK sends gzipped', async () => {
    const at = minuteAgo(3);
    const sent: string[] = [];
    cloudwatch.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
        sent.push(headers['content-encoding'] ?? 'identity');
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordEncoding' },
    );
    try {
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: 'Scones/Bulk',
          MetricData: Array.from({ length: 1000 }, (_, i) => ({
            MetricName: 'ModelLatency',
            Dimensions: DIMENSIONS,
            Timestamp: new Date(at.getTime() + (i % 50) * 1000),
            Value: i,
          })),
        }),
      );
    } finally {
      cloudwatch.middlewareStack.remove('recordEncoding');
    }
    expect(sent).toEqual(['gzip']);
    const { Datapoints } = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Scones/Bulk',
        MetricName: 'ModelLatency',
        Dimensions: DIMENSIONS,
        StartTime: minuteAgo(10),
        EndTime: new Date(),
        Period: 600,
        Statistics: ['SampleCount', 'Maximum'],
        ExtendedStatistics: ['p50'],
      }),
    );
    expect(Datapoints?.map((d) => [d.SampleCount, d.Maximum, d.ExtendedStatistics?.p50])).toEqual([
      [1000, 999, 499],
    ]);
  });

  it('answers bad parameters with the error the SDK names', async () => {
    await expect(
      cloudwatch.send(
        new PutMetricDataCommand({ Namespace: 'AWS/SageMaker', MetricData: [{ MetricName: 'X', Value: 1 }] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(
      cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: 'T',
          MetricData: [{ MetricName: 'X', Value: 1, Values: [1] }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterCombinationException' });
    await expect(
      cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: minuteAgo(10),
          EndTime: new Date(),
          MetricDataQueries: [{ Id: 'm', Expression: 'SUM(METRICS())' }],
        }),
      ),
    ).rejects.toThrow(/not supported by the local CloudWatch/);
    await expect(cloudwatch.send(new DescribeAlarmsCommand({ NextToken: 'forged!' }))).rejects.toMatchObject({
      name: 'InvalidNextToken',
    });
  });
});

describe('hostile input', () => {
  const post = (body: string | Buffer, target = 'GraniteServiceVersion20100801.PutMetricData') =>
    fetch(`${endpoint}/`, {
      method: 'POST',
      body,
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=00',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': target,
      },
    });

  it('bad JSON, an unknown action, an oversized body: CloudWatch errors, and the port keeps serving', async () => {
    const bad = await post('{"Namespace": ');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ __type: 'SerializationException' });
    const unknown = await post('{}', 'GraniteServiceVersion20100801.DeleteEverything');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-query-error')).toBe('UnknownOperation;Sender');
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const array = await post('[1,2]');
    expect(await array.json()).toMatchObject({ __type: 'SerializationException' });
    const huge = await post(Buffer.alloc(2 * 1024 * 1024, 'a')).catch((error: Error) => error);
    // The answer comes before the body is read whole; the client may still be sending when the
    // connection closes, and then sees the reset instead.
    if (huge instanceof Response) {
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({ __type: 'RequestEntityTooLargeException' });
    } else expect(String(huge.cause ?? huge)).toMatch(/ECONNRESET|EPIPE|closed|terminated/i);
    const gzip = (body: Buffer) =>
      fetch(`${endpoint}/`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-encoding': 'gzip',
          'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData',
        },
      });
    const bomb = await gzip(gzipSync(Buffer.alloc(64 * 1024 * 1024, ' ')));
    expect(bomb.status).toBe(413);
    expect(await bomb.json()).toMatchObject({ __type: 'RequestEntityTooLargeException' });
    const notGzip = await gzip(Buffer.from('{"Namespace": "N"}'));
    expect(notGzip.status).toBe(400);
    expect(await notGzip.json()).toMatchObject({ __type: 'SerializationException' });
    const form = await fetch(`${endpoint}/`, {
      method: 'POST',
      body: 'Action=ListMetrics&Version=2010-08-01',
      headers: {
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=00',
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
    expect(form.status).toBe(400);
    expect(((await form.json()) as { message: string }).message).toMatch(/serves AWS JSON 1\.0/);
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Scones/Hostile',
        MetricData: [{ MetricName: 'After', Value: 1 }],
      }),
    );
    const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'Scones/Hostile' }));
    expect(listed.Metrics?.map((m) => m.MetricName)).toEqual(['After']);
  });
});
