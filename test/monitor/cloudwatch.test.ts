import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { periodFor, readCloudWatchMetrics } from '../../src/monitor/sources/cloudwatch-metrics.ts';

const T0 = Date.parse('2026-11-26T10:00:00Z');
const MIN = 60_000;
const DAY = 86_400_000;

const dims = (fn: string, extra: Record<string, string> = {}) =>
  Object.entries({ service: 'scones', function_name: fn, ...extra }).map(([Name, Value]) => ({
    Name,
    Value,
  }));

/** A CloudWatch that knows a few series and answers GetMetricData from a table, in two pages. */
function fakeCloudWatch(values: Record<string, [number, number][]>) {
  const requests: GetMetricDataCommandInput[] = [];
  const metrics = [
    { Namespace: 'Scones', MetricName: 'ModelLatency', Dimensions: dims('scones-dev-classify-image') },
    {
      Namespace: 'Scones',
      MetricName: 'Decisions',
      Dimensions: dims('scones-dev-filter-inferences', { route: 'manual-review' }),
    },
    {
      Namespace: 'Scones',
      MetricName: 'Errors',
      Dimensions: dims('scones-dev-classify-image', { error: 'ModelError' }),
    },
    // Another stage's function: left out.
    {
      Namespace: 'Scones',
      MetricName: 'Decisions',
      Dimensions: dims('scones-prod-filter-inferences', { route: 'long-range' }),
    },
  ];
  const client = {
    async send(command: unknown) {
      if (command instanceof ListMetricsCommand) {
        return command.input.NextToken
          ? { Metrics: metrics.slice(2) }
          : { Metrics: metrics.slice(0, 2), NextToken: 'more' };
      }
      if (command instanceof GetMetricDataCommand) {
        requests.push(command.input);
        const results = (command.input.MetricDataQueries ?? []).map((q) => {
          const key = `${q.MetricStat?.Metric?.MetricName}:${q.MetricStat?.Stat}`;
          const rows = values[key] ?? [];
          return { Id: q.Id, Timestamps: rows.map(([t]) => new Date(t)), Values: rows.map(([, v]) => v) };
        });
        return { MetricDataResults: results };
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  } as unknown as CloudWatchClient;
  return { client, requests };
}

describe('metrics from CloudWatch', () => {
  it('asks for this stage\u2019s series per window and sums them up as the EMF reader would', async () => {
    const { client, requests } = fakeCloudWatch({
      'ModelLatency:p50': [
        [T0, 4],
        [T0 + 5 * MIN, 5],
      ],
      'ModelLatency:p90': [
        [T0, 6],
        [T0 + 5 * MIN, 7],
      ],
      'ModelLatency:p99': [
        [T0, 9],
        [T0 + 5 * MIN, 12],
      ],
      'ModelLatency:SampleCount': [
        [T0, 40],
        [T0 + 5 * MIN, 60],
      ],
      'Decisions:Sum': [
        [T0, 3],
        [T0 + 5 * MIN, 8],
      ],
      'Errors:Sum': [[T0 + 5 * MIN, 2]],
    });
    const read = await readCloudWatchMetrics(
      {
        client,
        namespace: 'Scones',
        functionNames: ['scones-dev-classify-image', 'scones-dev-filter-inferences'],
      },
      { firstStartMs: T0, widthMs: 5 * MIN, count: 2 },
      T0 + 10 * MIN,
    );
    expect(read).toMatchObject({ periodSeconds: 300, series: 3 });
    const queries = requests[0]?.MetricDataQueries ?? [];
    expect(queries.map((q) => `${q.MetricStat?.Metric?.MetricName}:${q.MetricStat?.Stat}`).sort()).toEqual([
      'Decisions:Sum',
      'Errors:Sum',
      'ModelLatency:SampleCount',
      'ModelLatency:p50',
      'ModelLatency:p90',
      'ModelLatency:p99',
    ]);
    expect(requests[0]).toMatchObject({ StartTime: new Date(T0), EndTime: new Date(T0 + 10 * MIN) });
    expect(read.byWindow.get(T0)).toEqual({
      latency: { count: 40, p50: 4, p90: 6, p99: 9 },
      decisions: { 'manual-review': 3 },
      errors: {},
      sums: {},
    });
    expect(read.byWindow.get(T0 + 5 * MIN)).toMatchObject({
      latency: { count: 60, p99: 12 },
      decisions: { 'manual-review': 8 },
      errors: { ModelError: 2 },
    });
  });

  it('uses periods CloudWatch keeps for the age of the data', () => {
    expect(periodFor(10_000, 60 * MIN)).toBe(60);
    expect(periodFor(5 * MIN, 60 * MIN)).toBe(300);
    expect(periodFor(MIN, 20 * DAY)).toBe(300);
    expect(periodFor(30 * MIN, 100 * DAY)).toBe(3600);
    expect(periodFor(DAY, 100 * DAY)).toBe(86_400);
  });
});
