/**
 * The Lambdas' metrics as the report shows them per window, whichever way they were read: summed
 * from EMF log lines (embedded) or asked of CloudWatch (AWS). Names are the ones the Lambdas
 * publish (src/workflow/metrics.ts).
 */
import { DIMENSION, METRIC } from '../../workflow/metrics.ts';
import { metricKey, type WindowAggregate } from './aggregate.ts';
import { QuantileSketch } from './quantile-sketch.ts';
import type { LatencyPercentiles, WindowMetrics } from './types.ts';

/** Dimensions every datapoint has (which function, which service): not worth a series of their own. */
const COMMON_DIMENSIONS = new Set<string>([DIMENSION.service, DIMENSION.functionName]);

export function emptyWindowMetrics(): WindowMetrics {
  return { latency: null, decisions: {}, errors: {}, sums: {} };
}

/** Adds a metric's sum to the series it belongs to. */
export function addSum(
  into: WindowMetrics,
  name: string,
  dimensions: Record<string, string>,
  sum: number,
): void {
  const add = (record: Record<string, number>, key: string) => {
    record[key] = (record[key] ?? 0) + sum;
  };
  const route = dimensions[DIMENSION.route];
  const error = dimensions[DIMENSION.error];
  if (name === METRIC.decisions && route) add(into.decisions, route);
  else if (name === METRIC.errors && error) add(into.errors, error);
  else {
    const telling = Object.fromEntries(
      Object.entries(dimensions).filter(([key]) => !COMMON_DIMENSIONS.has(key)),
    );
    add(into.sums, metricKey(name, telling));
  }
}

export function metricsOfAggregate(aggregate: WindowAggregate): WindowMetrics {
  const latency = new QuantileSketch();
  const metrics = emptyWindowMetrics();
  for (const metric of aggregate.metrics.values()) {
    if (metric.name === METRIC.modelLatency && metric.sketch) latency.merge(metric.sketch);
    else addSum(metrics, metric.name, metric.dimensions, metric.sum);
  }
  metrics.latency = percentilesOf(latency);
  return metrics;
}

export function percentilesOf(sketch: QuantileSketch): LatencyPercentiles | null {
  if (sketch.count === 0) return null;
  return {
    count: sketch.count,
    p50: sketch.quantile(0.5) as number,
    p90: sketch.quantile(0.9) as number,
    p99: sketch.quantile(0.99) as number,
  };
}
