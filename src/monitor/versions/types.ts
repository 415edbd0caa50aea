/**
 * Model versions: what the retraining state machine's executions and the model registry say
 * (the history, read by sources/retraining-history.ts or given by a test), the rollout timeline
 * built from it, and what each version answered.
 */

/** What a retraining execution ended as (its output's `outcome`), or how it stands. */
export type RetrainingOutcome = 'promoted' | 'rejected' | 'rolled-back' | 'failed' | 'running' | 'unknown';

/** Where a rollout's start time came from, most precise first. */
export type RolloutStartSource = 'history' | 'endpoint config created' | 'execution start';

/** One execution of `scones-<stage>-model-retraining`, as far as the timeline needs it. */
export interface RetrainingExecution {
  name: string;
  executionArn: string;
  /** ListExecutions' status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE. */
  status: string;
  startMs: number;
  stopMs?: number;
  outcome: RetrainingOutcome;
  /** `candidate.model_package_arn` of the output (registered candidates only). */
  candidateArn?: string;
  candidateModelData?: string;
  /** When UpdateEndpoint / CreateEndpoint was called; absent when the execution never got there. */
  rolloutStartMs?: number;
  rolloutStartSource?: RolloutStartSource;
  /** The model in service when the execution looked (ModelInService), when the history has it. */
  servingModelData?: string;
  /** Error of a failed execution. */
  error?: string;
}

/** One package of the model package group `scones-<stage>-image-classifier`. */
export interface RegistryEntry {
  arn: string;
  version: number;
  /** ModelApprovalStatus: Approved, Rejected, PendingManualApproval. */
  status: string;
  createdMs?: number;
}

export interface RetrainingHistory {
  executions: RetrainingExecution[];
  registry: RegistryEntry[];
  /** Why part of it could not be read (e.g. the registry), in a sentence each. */
  notes: string[];
}

/** Where the monitor gets the history: the SDK reader, or a test's fake. */
export interface RetrainingHistorySource {
  /** Where it reads from, for the report's data section. */
  describe: string;
  read(): Promise<RetrainingHistory>;
}

/** A model version as the report names it. */
export interface ModelVersion {
  /** `v0` for the kit's original model (not in the registry), else `v<ModelPackageVersion>`. */
  id: string;
  label: string;
  /** Registry status; `not in the registry` for v0. */
  status: string;
  modelPackageArn?: string;
  modelPackageVersion?: number;
  modelData?: string;
  /** The retraining execution that registered it. */
  execution?: string;
}

/** A stretch of time in which one version answered everything; ends open (null) before/after all. */
export interface ServingPeriod {
  kind: 'serving';
  versionId: string;
  fromMs: number | null;
  toMs: number | null;
}

/**
 * From the endpoint update's start to the execution's end: both configs may answer (canary,
 * blue/green shifting, rollback), and a capture record does not say which, so inferences here
 * are not attributed to either.
 */
export interface RolloutWindow {
  kind: 'rollout';
  fromVersionId: string;
  toVersionId: string;
  fromMs: number;
  /** null while the execution runs. */
  toMs: number | null;
  outcome: RetrainingOutcome;
  execution: string;
  startSource: RolloutStartSource;
}

export type TimelinePeriod = ServingPeriod | RolloutWindow;

/** A retraining's end, marked on the chart. */
export interface TimelineEvent {
  timeMs: number;
  outcome: RetrainingOutcome;
  versionId: string;
  execution: string;
}

export interface RolloutTimeline {
  versions: ModelVersion[];
  /** In time order, contiguous, the first starting and the last ending open. */
  periods: TimelinePeriod[];
  events: TimelineEvent[];
  /** Inconsistencies met while building it (overlapping rollouts, unknown outcomes). */
  notes: string[];
}

/** One inference as attribution needs it. */
export interface AttributedInference {
  timeMs: number;
  confidence: number;
  /** Whether the prediction matched the label; undefined without a usable label. */
  correct?: boolean;
}

/** What one version answered (or one rollout window, both candidates named). */
export interface VersionFigures {
  inferences: number;
  confidenceSum: number;
  /** Inferences with a usable ground-truth label. */
  reviewed: number;
  correct: number;
}

/** One row of the report's version table. */
export interface VersionRow {
  id: string;
  label: string;
  /** Registry status (ModelApprovalStatus), or `not in the registry` for v0. */
  status: string;
  modelPackageArn: string | null;
  execution: string | null;
  inferences: number;
  reviewed: number;
  accuracy: number | null;
  meanConfidence: number | null;
  /** When it served alone: ms, null for an open end (before the first / after the last rollout). */
  serving: { fromMs: number | null; toMs: number | null }[];
}

/** One rollout window: its inferences are not given to either version. */
export interface RolloutRow {
  execution: string;
  fromVersion: string;
  toVersion: string;
  fromMs: number;
  toMs: number | null;
  outcome: RetrainingOutcome;
  startSource: RolloutStartSource;
  inferences: number;
  reviewed: number;
  accuracy: number | null;
  meanConfidence: number | null;
}

/**
 * The report's "Model versions" section. `state`: `shown` (retrainings ran: the table and the
 * timeline), `no-retraining` (none ran: one line), `unavailable` (the history could not be read),
 * `not-read` (no history source for this target).
 */
export interface ModelVersionsReport {
  state: 'shown' | 'no-retraining' | 'unavailable' | 'not-read';
  /** The one line shown instead of the table, or a lead-in above it. */
  message: string;
  source: string | null;
  retrainings: number;
  versions: VersionRow[];
  rollouts: RolloutRow[];
  events: TimelineEvent[];
  /** Inferences in rollout windows (answered by one of two versions, not said which). */
  duringRollout: number;
  notes: string[];
}
