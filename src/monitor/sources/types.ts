/** What the monitor reads (a target's bucket, prefixes, metric logs or CloudWatch) and what one pass over it collects. */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BottomKSample, TimeBuckets, WindowAggregate, WindowMetrics } from '../statistics/index.ts';
import type { TimeRange } from '../time-range.ts';
import type { RolloutTimeline, VersionTally } from '../versions/index.ts';

export interface MonitorSources {
  s3: S3Client;
  bucket: string;
  /** Prefix of the endpoint's captured traffic, e.g. `data_capture/<endpoint>/`. */
  capturePrefix: string;
  groundTruthPrefix: string;
  /** Prefix of the staged dataset (its `train_lst/train.lst` is the training baseline). */
  datasetPrefix: string;
  /** Folder of the Lambdas' JSON Lines logs (embedded); CloudWatch is asked later (aws). */
  metricLogsDir?: string;
  /** Only metrics of this namespace (EMF lines of others are passed over). */
  metricsNamespace?: string;
}

export interface CollectOptions {
  range: TimeRange;
  threshold: number;
  /** Points kept for the per-inference chart. */
  samplePoints?: number;
  /** The rollout timeline: each inference is attributed to the version serving at its time. */
  timeline?: RolloutTimeline;
}

export interface InferencePoint {
  timeMs: number;
  confidence: number;
  predicted: number;
}

export interface Collected {
  buckets: TimeBuckets<WindowAggregate>;
  sample: BottomKSample<InferencePoint>;
  classNames: string[];
  training: TrainingBaseline | undefined;
  notes: string[];
  capture: {
    objects: number;
    bytes: number;
    records: number;
    outOfRange: number;
    skipped: Record<string, number>;
    withoutInferenceId: number;
  };
  groundTruth: { objects: number; labels: number; joined: number; skipped: Record<string, number> };
  metricLogs?: { files: number; lines: number; datapoints: number };
  /** Per model version, when a timeline was given. */
  versions?: VersionTally;
}

export interface CloudWatchSource {
  client: CloudWatchClient;
  namespace: string;
  /** Keep only series whose `function_name` is one of these (the stage's functions). */
  functionNames?: readonly string[];
}

export interface CloudWatchMetrics {
  byWindow: Map<number, WindowMetrics>;
  periodSeconds: number;
  series: number;
}

export interface CapturedInference {
  timeMs: number;
  probabilities: number[];
  /** InferenceId given to InvokeEndpoint, when there was one. */
  inferenceId?: string;
  eventId?: string;
}

export interface TrainingBaseline {
  /** Where it was read from. */
  uri: string;
  /** Images per class index. */
  classCounts: number[];
  /** Class names by index, from the manifest's folders (`bicycle/...png`). */
  classNames: string[];
}
