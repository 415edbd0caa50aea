/**
 * Reads everything the report needs in one pass each, into bounded state: the training manifest,
 * the ground truth (a map of labels), then the capture stream, each record joined to its label
 * and folded into fine time buckets and a fixed-size sample; then the Lambdas' EMF lines when the
 * target keeps them in local files.
 */
import { CLASS_LABELS } from '../../workflow/types.ts';
import { BottomKSample, TimeBuckets, WindowAggregate } from '../statistics/index.ts';
import { inRange, overlapsRange, type TimeRange } from '../time-range.ts';
import { VersionTally } from '../versions/index.ts';
import { parseCaptureLine, topProbability } from './capture-record.ts';
import { readMetricLogs } from './emf.ts';
import { labelIndex, readGroundTruth } from './ground-truth.ts';
import { forEachS3Line } from './s3-lines.ts';
import { readTrainingBaseline } from './training-baseline.ts';
import type { Collected, CollectOptions, InferencePoint, MonitorSources } from './types.ts';

export const DEFAULT_SAMPLE_POINTS = 2500;
const HOUR_MS = 3_600_000;
/** `.../yyyy/mm/dd/hh/<file>`: the hour folder of a capture file. */
const HOUR_FOLDER = /\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/[^/]+$/;

/** Whether a capture file's hour folder can hold records of the range (one hour of slack each side). */
export function captureKeyInRange(key: string, range: TimeRange): boolean {
  if (!key.endsWith('.jsonl')) return false;
  const hour = HOUR_FOLDER.exec(key);
  if (!hour || (range.since === undefined && range.until === undefined)) return true;
  const [, y, m, d, h] = hour.map(Number) as number[];
  const start = Date.UTC(y as number, (m as number) - 1, d, h);
  return overlapsRange(start - HOUR_MS, start + 2 * HOUR_MS, range);
}

function count(record: Record<string, number>, reason: string): void {
  record[reason] = (record[reason] ?? 0) + 1;
}

export async function collect(sources: MonitorSources, options: CollectOptions): Promise<Collected> {
  const { s3, bucket } = sources;
  const { range } = options;
  const notes: string[] = [];
  const trainingResult = await readTrainingBaseline(s3, bucket, sources.datasetPrefix);
  const training = 'baseline' in trainingResult ? trainingResult.baseline : undefined;
  if ('missing' in trainingResult) notes.push(trainingResult.missing);
  const classNames = [...(training?.classNames.length ? training.classNames : CLASS_LABELS)];
  const truth = await readGroundTruth(s3, bucket, sources.groundTruthPrefix);

  const buckets = new TimeBuckets(
    () => new WindowAggregate(),
    (into: WindowAggregate, from: WindowAggregate) => into.merge(from),
  );
  const sample = new BottomKSample<InferencePoint>(options.samplePoints ?? DEFAULT_SAMPLE_POINTS);
  const capture: Collected['capture'] = {
    objects: 0,
    bytes: 0,
    records: 0,
    outOfRange: 0,
    skipped: {},
    withoutInferenceId: 0,
  };
  // A label counts once even if its inference was captured twice (a retried invocation).
  const joined = new Set<string>();
  const versions = options.timeline ? new VersionTally(options.timeline) : undefined;
  const read = await forEachS3Line(
    { s3, bucket, prefix: sources.capturePrefix, accept: (key) => captureKeyInRange(key, range) },
    (line) => {
      const parsed = parseCaptureLine(line);
      if ('skipped' in parsed) return count(capture.skipped, parsed.skipped);
      const { timeMs, probabilities, inferenceId, eventId } = parsed.inference;
      if (!inRange(timeMs, range)) {
        capture.outOfRange++;
        return;
      }
      capture.records++;
      if (!inferenceId) capture.withoutInferenceId++;
      const { index, confidence } = topProbability(probabilities);
      while (classNames.length < probabilities.length) classNames.push(`class${classNames.length}`);
      const id = inferenceId ?? eventId;
      const raw = id !== undefined && !joined.has(id) ? truth.labels.get(id) : undefined;
      if (raw !== undefined && id !== undefined) joined.add(id);
      const label = raw !== undefined ? labelIndex(raw, classNames) : undefined;
      buckets.at(timeMs).addInference(
        {
          confidence,
          predicted: index,
          hasInferenceId: !!inferenceId,
          ...(label !== undefined ? { label } : {}),
        },
        options.threshold,
      );
      versions?.add({
        timeMs,
        confidence,
        ...(typeof label === 'number' ? { correct: label === index } : {}),
      });
      sample.offer(id ?? `${timeMs}:${capture.records}`, { timeMs, confidence, predicted: index });
    },
  );
  capture.objects = read.objects;
  capture.bytes = read.bytes;
  if (read.oversized) capture.skipped['line over 16 MiB'] = read.oversized;

  const collected: Collected = {
    buckets,
    sample,
    classNames,
    training,
    notes,
    capture,
    groundTruth: {
      objects: truth.objects,
      labels: truth.labels.size,
      joined: joined.size,
      skipped: truth.skipped,
    },
    ...(versions ? { versions } : {}),
  };
  if (sources.metricLogsDir) {
    let datapoints = 0;
    const logs = await readMetricLogs(sources.metricLogsDir, (point) => {
      if (sources.metricsNamespace && point.namespace !== sources.metricsNamespace) return;
      if (!inRange(point.timeMs, range)) return;
      datapoints++;
      buckets.at(point.timeMs).addMetric(point.name, point.dimensions, point.unit, point.values);
    });
    collected.metricLogs = { ...logs, datapoints };
  }
  return collected;
}
