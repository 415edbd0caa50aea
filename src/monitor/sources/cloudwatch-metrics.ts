/**
 * The Lambdas' metrics on AWS: CloudWatch extracts them from the EMF log lines, so the monitor
 * asks CloudWatch for them, per report window:
 * - ListMetrics on the namespace (metrics with data in the last two weeks), keeping the series of
 *   this stage's functions (`function_name` dimension);
 * - GetMetricData (<= 500 queries a call), ModelLatency as p50 / p90 / p99 / SampleCount, every
 *   other metric as Sum, with the window width as the period.
 * A period is a multiple of 60 s (standard resolution), and of 300 s / 3600 s for data older than
 * 15 / 63 days (MetricStat, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html);
 * windows narrower than that get the figures of the period they start in, and the report says so.
 */
import {
  type Dimension,
  GetMetricDataCommand,
  ListMetricsCommand,
  type Metric,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { DIMENSION, METRIC } from '../../workflow/metrics.ts';
import { addSum, emptyWindowMetrics, type WindowGrid, type WindowMetrics } from '../statistics/index.ts';
import type { CloudWatchMetrics, CloudWatchSource } from './types.ts';

const DAY_MS = 86_400_000;
const MAX_QUERIES = 500;
const LATENCY_STATS = ['p50', 'p90', 'p99', 'SampleCount'] as const;

/** The period for windows of `widthMs` starting `ageMs` ago, as CloudWatch accepts it. */
export function periodFor(widthMs: number, ageMs: number): number {
  const step = ageMs > 63 * DAY_MS ? 3600 : ageMs > 15 * DAY_MS ? 300 : 60;
  return Math.max(step, Math.ceil(widthMs / 1000 / step) * step);
}

const dimensionsOf = (metric: Metric): Record<string, string> =>
  Object.fromEntries((metric.Dimensions ?? []).map((d: Dimension) => [d.Name ?? '', d.Value ?? '']));

async function listSeries(source: CloudWatchSource): Promise<Metric[]> {
  const series: Metric[] = [];
  let token: string | undefined;
  do {
    const page = await source.client.send(
      new ListMetricsCommand({ Namespace: source.namespace, NextToken: token }),
    );
    for (const metric of page.Metrics ?? []) {
      const fn = dimensionsOf(metric)[DIMENSION.functionName];
      if (!source.functionNames || (fn !== undefined && source.functionNames.includes(fn)))
        series.push(metric);
    }
    token = page.NextToken;
  } while (token);
  return series;
}

interface Query {
  metric: Metric;
  stat: string;
}

function queriesFor(
  series: Metric[],
  periodSeconds: number,
): { queries: MetricDataQuery[]; meaning: Map<string, Query> } {
  const queries: MetricDataQuery[] = [];
  const meaning = new Map<string, Query>();
  for (const metric of series) {
    const stats = metric.MetricName === METRIC.modelLatency ? LATENCY_STATS : (['Sum'] as const);
    for (const stat of stats) {
      const id = `q${queries.length}`;
      meaning.set(id, { metric, stat });
      queries.push({
        Id: id,
        MetricStat: { Metric: metric, Period: periodSeconds, Stat: stat },
        ReturnData: true,
      });
    }
  }
  return { queries, meaning };
}

/** Every datapoint of the queries, with the query it answers, page by page. */
async function* datapoints(
  source: CloudWatchSource,
  grid: WindowGrid,
  periodSeconds: number,
  series: Metric[],
) {
  const { queries, meaning } = queriesFor(series, periodSeconds);
  for (let i = 0; i < queries.length; i += MAX_QUERIES) {
    let token: string | undefined;
    do {
      const page = await source.client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries.slice(i, i + MAX_QUERIES),
          StartTime: new Date(grid.firstStartMs),
          EndTime: new Date(grid.firstStartMs + grid.count * grid.widthMs),
          ScanBy: 'TimestampAscending',
          NextToken: token,
        }),
      );
      for (const result of page.MetricDataResults ?? []) {
        const query = meaning.get(result.Id ?? '');
        if (!query) continue;
        for (const [k, time] of (result.Timestamps ?? []).entries()) {
          const value = result.Values?.[k];
          if (value !== undefined) yield { query, time, value };
        }
      }
      token = page.NextToken;
    } while (token);
  }
}

interface LatencySums {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
}

export async function readCloudWatchMetrics(
  source: CloudWatchSource,
  grid: WindowGrid,
  now = Date.now(),
): Promise<CloudWatchMetrics> {
  const series = await listSeries(source);
  const periodSeconds = periodFor(grid.widthMs, now - grid.firstStartMs);
  const byWindow = new Map<number, WindowMetrics>();
  const metricsAt = (start: number) => {
    const existing = byWindow.get(start);
    if (existing) return existing;
    const created = emptyWindowMetrics();
    byWindow.set(start, created);
    return created;
  };
  // Latency statistics per series and window, then weighted by sample count across series.
  const latencyRows = new Map<string, Record<string, number>>();
  for await (const { query, time, value } of datapoints(source, grid, periodSeconds, series)) {
    const index = Math.floor((time.getTime() - grid.firstStartMs) / grid.widthMs);
    if (index < 0 || index >= grid.count) continue;
    const start = grid.firstStartMs + index * grid.widthMs;
    const name = query.metric.MetricName ?? '';
    if (name !== METRIC.modelLatency) {
      addSum(metricsAt(start), name, dimensionsOf(query.metric), value);
      continue;
    }
    const key = `${start} ${JSON.stringify(query.metric.Dimensions ?? [])}`;
    latencyRows.set(key, { ...latencyRows.get(key), start, [query.stat]: value });
  }
  const latency = new Map<number, LatencySums>();
  for (const row of latencyRows.values()) {
    const samples = row.SampleCount ?? 0;
    if (samples <= 0) continue;
    const start = row.start as number;
    const sums = latency.get(start) ?? { samples: 0, p50: 0, p90: 0, p99: 0 };
    sums.samples += samples;
    sums.p50 += (row.p50 ?? 0) * samples;
    sums.p90 += (row.p90 ?? 0) * samples;
    sums.p99 += (row.p99 ?? 0) * samples;
    latency.set(start, sums);
  }
  for (const [start, sums] of latency) {
    metricsAt(start).latency = {
      count: sums.samples,
      p50: sums.p50 / sums.samples,
      p90: sums.p90 / sums.samples,
      p99: sums.p99 / sums.samples,
    };
  }
  return { byWindow, periodSeconds, series: series.length };
}
