/** Shapes of the figures per window: shares, accuracy and per-class quality, the Lambdas' metrics, the window grid. */

export interface ShareOf {
  count: number;
  share: number | null;
}

/** `confusion[actual][predicted]` counts of labelled inferences. */
export type Confusion = number[][];

export interface Accuracy {
  labels: number;
  correct: number;
  accuracy: number | null;
}

export interface ClassQuality {
  label: string;
  /** Of the labelled inferences predicted as this class, the share that were it; null when none. */
  precision: number | null;
  /** Of the labelled inferences that were this class, the share predicted as it; null when none. */
  recall: number | null;
  /** Labels behind the precision (predicted as this class). */
  predicted: number;
  /** Labels behind the recall (truly this class). */
  actual: number;
  truePositives: number;
}

export interface LatencyPercentiles {
  /** Datapoints behind the figures. */
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface WindowMetrics {
  /** ModelLatency in ms; null when none was published in the window. */
  latency: LatencyPercentiles | null;
  /** Decisions by route (short-range, long-range, manual-review). */
  decisions: Record<string, number>;
  /** Failed invocations by error name. */
  errors: Record<string, number>;
  /** Every other metric summed, by name and the dimensions that tell its series apart. */
  sums: Record<string, number>;
}

/** The report's windows: `count` windows of `widthMs`, the first starting at `firstStartMs`. */
export interface WindowGrid {
  firstStartMs: number;
  widthMs: number;
  count: number;
}

export interface WindowChoice {
  maxWindows?: number;
  minRecordsPerWindow?: number;
  /** Narrowest allowed width (the fine buckets' width). */
  minWidthMs?: number;
}
