/** Shapes of the local CloudWatch: what it is built from, what it keeps, what it offers. */

export interface CloudWatchServiceOptions {
  /** Folder of the journal (`journal.jsonl`: datapoints, alarms and their states, in order). */
  dataDir: string;
  /** Region of the alarms' ARNs; default `us-east-1`. */
  region?: string;
  /** Account of the ARNs; default the local account `000000000000`. */
  accountId?: string;
  /** Epoch milliseconds; tests pass a clock. */
  now?: () => number;
  /** How long datapoints are kept (ms); default 3 hours. Older ones are dropped, in memory and on disk. */
  retentionMs?: number;
  /** Journal lines written between two rewrites of the file; default 20,000. */
  compactAfterLines?: number;
  /** How often every alarm is evaluated (ms); default 10 s; 0 never (tests call `evaluateAlarms`). */
  evaluationIntervalMs?: number;
}

/** One datum as PutMetricData takes it (timestamps as a Date or epoch seconds). */
export interface MetricDatumInput {
  MetricName: string;
  Dimensions?: Dimension[];
  Timestamp?: Date | number;
  Value?: number;
  Values?: number[];
  Counts?: number[];
  StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  Unit?: string;
  StorageResolution?: number;
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export type ComparisonOperator =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';

export interface Dimension {
  Name: string;
  Value: string;
}

/** One metric: namespace, name and its dimensions (sorted by name). */
export interface MetricId {
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
}

/**
 * What one PutMetricData datum left: raw values with their counts, or a statistic set. Values are
 * kept raw (so percentiles can be answered); a statistic set has none.
 */
export interface StoredDatum {
  /** Epoch milliseconds. */
  t: number;
  unit?: string;
  values?: number[];
  counts?: number[];
  stats?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
}

/** A metric's statistics over one period. */
export interface PeriodStatistics {
  SampleCount: number;
  Sum: number;
  Minimum: number;
  Maximum: number;
  Average: number;
  /** Weighted raw values, sorted, when every datum of the period had them (for `pNN`). */
  sorted?: { value: number; count: number }[];
}

/** A metric alarm's definition as PutMetricAlarm took it. */
export interface AlarmDefinition {
  AlarmName: string;
  AlarmDescription?: string;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
  Statistic?: string;
  ExtendedStatistic?: string;
  /** Seconds. */
  Period: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: ComparisonOperator;
  TreatMissingData?: TreatMissingData;
  /** For a percentile: `ignore` keeps the state while a period has too few samples; `evaluate` (default) does not. */
  EvaluateLowSampleCountPercentile?: 'evaluate' | 'ignore';
  Tags?: { Key: string; Value: string }[];
}

export interface AlarmStatus {
  StateValue: AlarmStateValue;
  StateReason: string;
  StateReasonData?: string;
  /** Epoch milliseconds of the last state update (a change, or SetAlarmState). */
  StateUpdatedTimestamp: number;
  /** Epoch milliseconds of the last change of `StateValue`. */
  StateTransitionedTimestamp: number;
}

export interface StoredAlarm {
  definition: AlarmDefinition;
  status: AlarmStatus;
  /** Epoch milliseconds. */
  configurationUpdated: number;
}

/** What a listener hears when an alarm's state changes (the fields of the EventBridge event's detail). */
export interface AlarmStateChange {
  alarmName: string;
  alarmArn: string;
  region: string;
  accountId: string;
  /** Epoch milliseconds. */
  time: number;
  previousState: { value: AlarmStateValue; reason: string; reasonData?: string; timestamp: number };
  state: { value: AlarmStateValue; reason: string; reasonData?: string; timestamp: number };
  configuration: AlarmDefinition;
}

export type EmfIngestion =
  | { kind: 'none' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'metrics'; datums: number };

export type AlarmStateListener = (change: AlarmStateChange) => void;

export interface CloudWatchService {
  /** Runs `action` (`PutMetricData`, ...) on a parsed JSON body; throws a CloudWatchError. */
  call(action: string, input: unknown): Promise<unknown>;
  readonly actions: readonly string[];
  /** Calls `listener` on every alarm state change (evaluation or SetAlarmState); returns an unsubscribe. */
  onStateChange(listener: AlarmStateListener): () => void;
  /**
   * Puts datums from inside the kit (an endpoint's `AWS/SageMaker` metrics, the Lambdas' EMF
   * lines): PutMetricData's shapes and rules, except that an `AWS/` namespace is taken. Throws a
   * CloudWatchError.
   */
  ingest(namespace: string, metricData: readonly MetricDatumInput[]): void;
  /**
   * The metrics of a log event in the embedded metric format (emf.ts), put as `ingest` puts them:
   * `none` for a line that is not EMF, `invalid` (with the reason) for an EMF document that breaks
   * the specification or PutMetricData's rules (nothing of it is put, but the namespaces before
   * the refused one in a document of several), else how many datums.
   */
  ingestEmf(message: string): EmfIngestion;
  /** Evaluates every alarm now (what the timer does). */
  evaluateAlarms(): void;
  /** Resolves once everything so far is on disk. */
  flush(): Promise<void>;
  /** Stops the timer and writes what is pending. */
  close(): Promise<void>;
}

/** An alarm history item (DescribeAlarmHistory). */
export interface AlarmHistoryItem {
  AlarmName: string;
  AlarmType: 'MetricAlarm';
  /** Epoch milliseconds. */
  Timestamp: number;
  HistoryItemType: 'ConfigurationUpdate' | 'StateUpdate';
  HistorySummary: string;
  HistoryData: string;
}

/** One line of the journal. */
export type JournalEntry =
  | { kind: 'data'; metric: MetricId; data: StoredDatum[] }
  | { kind: 'history'; item: AlarmHistoryItem }
  | { kind: 'alarm'; alarm: StoredAlarm }
  | { kind: 'status'; name: string; status: AlarmStatus }
  | { kind: 'delete'; names: string[] };
