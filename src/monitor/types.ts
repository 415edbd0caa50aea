/**
 * The report as plain data (the HTML, the charts and `--json` are views of it), what a run is
 * asked and what it returns.
 */
import type { AlarmMinimums, AlarmResult, AlarmThresholds } from './alarms/index.ts';
import type { CloudWatchSource, InferencePoint, MonitorSources } from './sources/index.ts';
import type { ClassQuality, WindowMetrics } from './statistics/index.ts';
import type { TimeRange } from './time-range.ts';
import type { ModelVersionsReport, RetrainingHistorySource } from './versions/index.ts';

export interface ReportSettings {
  threshold: number;
  thresholds?: Partial<AlarmThresholds>;
  minimums?: Partial<AlarmMinimums>;
  /** Window width; default chosen from the span (statistics/windows.ts). */
  windowMs?: number;
  /** Baseline = windows starting before this time (ms); default the first quarter of inferences. */
  baselineUntil?: number;
  /** Span of the report when given (--since / --until); default the data's. */
  range?: { since?: number; until?: number };
}

export interface WindowSummary {
  start: string;
  end: string;
  startMs: number;
  endMs: number;
  inBaseline: boolean;
  inferences: number;
  meanConfidence: number | null;
  belowThreshold: number;
  shareBelowThreshold: number | null;
  /** Counts per confidence bin (CONFIDENCE_BINS bins of equal width over [0, 1]). */
  confidenceHistogram: number[];
  /** Inferences per predicted class, by class name. */
  classCounts: Record<string, number>;
  drift: { confidence: number | null; classMix: number | null };
  quality: {
    labels: number;
    unusable: number;
    correct: number;
    accuracy: number | null;
    classes: ClassQuality[];
  };
  metrics: WindowMetrics;
  withoutInferenceId: number;
}

export interface MonitorReport {
  generatedAt: string;
  threshold: number;
  classNames: string[];
  windowMs: number;
  span: { start: string; end: string } | null;
  totals: {
    inferences: number;
    meanConfidence: number | null;
    shareBelowThreshold: number | null;
    labels: number;
    accuracy: number | null;
    unusableLabels: number;
  };
  baseline: {
    rule: string;
    windows: number;
    until: string | null;
    inferences: number;
    meanConfidence: number | null;
    confidenceHistogram: number[];
    classCounts: Record<string, number>;
  };
  training: { uri: string; classShares: Record<string, number> } | null;
  windows: WindowSummary[];
  alarms: AlarmResult[];
  sample: { points: InferencePoint[]; of: number };
  /** Which model version answered what, and the rollouts' timeline (issue 19). */
  modelVersions: ModelVersionsReport;
  notes: string[];
}

export interface MonitorRequest {
  sources: MonitorSources;
  /** Ask CloudWatch for the Lambdas' metrics (AWS) instead of reading EMF log files. */
  cloudwatch?: CloudWatchSource;
  /** The retraining executions and the registry: the "Model versions" section. */
  retrainingHistory?: RetrainingHistorySource;
  settings: ReportSettings & { range: TimeRange };
  /** Points of the per-inference chart (default 2,500). */
  samplePoints?: number;
}

export interface MonitorResult {
  report: MonitorReport;
  context: PageContext;
}

export interface RenderedChart {
  id: string;
  title: string;
  /** What the chart answers, in a sentence. */
  caption: string;
  /** How to read it (what is drawn, on how much data). */
  note: string;
  svg: string;
}

export interface PageContext {
  /** Where the data came from, one line each (bucket, prefixes, metrics source). */
  sources: string[];
  /** Data-quality remarks (skipped lines, records without inference id, ...). */
  notes: string[];
}
