/**
 * What the monitor keeps of a stretch of time: counts and sketches only, never the records, and
 * mergeable, so fine time buckets fold into the report's windows (see windows.ts) and memory stays
 * bounded whatever the number of captured inferences.
 */
import { QuantileSketch } from './quantile-sketch.ts';
import { addCounts } from './statistics.ts';
import type { Confusion } from './types.ts';

/** Confidence (top probability) histogram: 20 bins of 0.05 over [0, 1]. */
export const CONFIDENCE_BINS = 20;

export function confidenceBin(confidence: number): number {
  return Math.min(CONFIDENCE_BINS - 1, Math.max(0, Math.floor(confidence * CONFIDENCE_BINS)));
}

/** A metric the Lambdas publish (EMF), summed per name and dimension values. */
export interface MetricAggregate {
  name: string;
  dimensions: Record<string, string>;
  unit: string;
  /** Datapoints (EMF values). */
  count: number;
  sum: number;
  /** Percentiles, kept for time-valued metrics (latencies) only. */
  sketch?: QuantileSketch;
}

/** Units whose values are durations; normalised to milliseconds. */
const TIME_UNIT_MS: Record<string, number> = { Microseconds: 0.001, Milliseconds: 1, Seconds: 1000 };

export function metricKey(name: string, dimensions: Record<string, string>): string {
  const dims = Object.keys(dimensions)
    .sort()
    .map((key) => `${key}=${dimensions[key]}`);
  return dims.length ? `${name}{${dims.join(',')}}` : name;
}

export interface InferenceObservation {
  confidence: number;
  predicted: number;
  /** Class index of the ground-truth label; 'unusable' for a label that is no class (neither). */
  label?: number | 'unusable';
  hasInferenceId: boolean;
}

function confusionRow(confusion: Confusion, actual: number): number[] {
  let row = confusion[actual];
  if (!row) {
    row = [];
    confusion[actual] = row;
  }
  return row;
}

export class WindowAggregate {
  inferences = 0;
  confidenceSum = 0;
  belowThreshold = 0;
  /** Captured records without `eventMetadata.inferenceId` (older captures): never joined. */
  withoutInferenceId = 0;
  readonly confidenceBins: number[] = new Array(CONFIDENCE_BINS).fill(0);
  /** Inferences per predicted class index. */
  readonly classCounts: number[] = [];
  /** Labelled inferences, [actual][predicted]. */
  readonly confusion: Confusion = [];
  /** Labels that name no class ("neither / unusable"): counted, not scored. */
  unusableLabels = 0;
  readonly metrics = new Map<string, MetricAggregate>();

  addInference(observation: InferenceObservation, threshold: number): void {
    const { confidence, predicted, label } = observation;
    this.inferences++;
    this.confidenceSum += confidence;
    if (confidence < threshold) this.belowThreshold++;
    const bin = confidenceBin(confidence);
    this.confidenceBins[bin] = (this.confidenceBins[bin] ?? 0) + 1;
    this.classCounts[predicted] = (this.classCounts[predicted] ?? 0) + 1;
    if (!observation.hasInferenceId) this.withoutInferenceId++;
    if (label === 'unusable') this.unusableLabels++;
    else if (label !== undefined) {
      const row = confusionRow(this.confusion, label);
      row[predicted] = (row[predicted] ?? 0) + 1;
    }
  }

  addMetric(name: string, dimensions: Record<string, string>, unit: string, values: readonly number[]): void {
    const key = metricKey(name, dimensions);
    let metric = this.metrics.get(key);
    if (!metric) {
      metric = { name, dimensions, unit, count: 0, sum: 0 };
      if (unit in TIME_UNIT_MS) metric.sketch = new QuantileSketch();
      this.metrics.set(key, metric);
    }
    const scale = TIME_UNIT_MS[unit] ?? 1;
    for (const value of values) {
      metric.count++;
      metric.sum += value * scale;
      metric.sketch?.add(value * scale);
    }
  }

  merge(other: WindowAggregate): void {
    this.inferences += other.inferences;
    this.confidenceSum += other.confidenceSum;
    this.belowThreshold += other.belowThreshold;
    this.withoutInferenceId += other.withoutInferenceId;
    this.unusableLabels += other.unusableLabels;
    addCounts(this.confidenceBins, other.confidenceBins);
    addCounts(this.classCounts, other.classCounts);
    other.confusion.forEach((row, actual) => {
      if (row) addCounts(confusionRow(this.confusion, actual), row);
    });
    for (const [key, metric] of other.metrics) {
      let mine = this.metrics.get(key);
      if (!mine) {
        // A copy: the other aggregate's sketch must not be shared (merging into it would count twice).
        mine = { ...metric, count: 0, sum: 0, ...(metric.sketch ? { sketch: new QuantileSketch() } : {}) };
        this.metrics.set(key, mine);
      }
      mine.count += metric.count;
      mine.sum += metric.sum;
      if (metric.sketch) {
        if (!mine.sketch) mine.sketch = new QuantileSketch();
        mine.sketch.merge(metric.sketch);
      }
    }
  }

  /** A new aggregate holding this one and `others`. */
  static mergeAll(parts: Iterable<WindowAggregate>): WindowAggregate {
    const total = new WindowAggregate();
    for (const part of parts) total.merge(part);
    return total;
  }
}
