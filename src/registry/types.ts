/** Shapes of the model registry as the kit's commands show it (`scones models`, `rollout`, `rollback`). */
import type { SageMakerApi } from '../workflow/model-endpoint.ts';

export type { SageMakerApi };

/** CloudWatch as JSON in, JSON out (the local service's `call`, or the SDK through `sdkApi`). */
export interface CloudWatchApi {
  call(action: string, input: Record<string, unknown>): Promise<unknown>;
}

/** What the registry functions are given: the target's SageMaker and, where there is one, its CloudWatch and S3. */
export interface RegistryApis {
  sagemaker: SageMakerApi;
  /** Without it, no alarm is known: a rollout then has no AutoRollbackConfiguration. */
  cloudwatch?: CloudWatchApi;
  /** Reads an `s3://` object as text (the evaluation reports); undefined when it is missing. */
  readText?: (uri: string) => Promise<string | undefined>;
}

/** The stage's names the registry functions need (retrainingNames, the config's endpoint). */
export interface RegistryScope {
  stage: string;
  endpointName: string;
}

export type ApprovalStatus = 'Approved' | 'Rejected' | 'PendingManualApproval';

/** The figures of a version's evaluation report (accuracy per part, the gate's comparison). */
export interface VersionMetrics {
  /** Where they come from: the report ModelMetrics points at, or the package's metadata. */
  source: string;
  accuracy: { all: number | null; clean: number | null; reviewed: number | null };
  /** Accuracy of the model in service when the candidate was evaluated (null: nothing served). */
  current_accuracy: { all: number | null; clean: number | null; reviewed: number | null } | null;
  clean_drop: number | null;
  reviewed_gain: number | null;
}

/** One version of the model package group. */
export interface RegistryVersion {
  version: number;
  arn: string;
  status: ApprovalStatus | string;
  reason: string | null;
  /** ISO time. */
  created: string;
  model_data: string | null;
  image: string | null;
  training_job: string | null;
  metrics: VersionMetrics | null;
  /** Why the metrics are missing (no report, unreadable), when they are. */
  metrics_note?: string;
  serving: boolean;
  /** The version this one replaced when `scones rollout` promoted it (its ARN, or `original`). */
  previous?: string;
}

/** What the stage's endpoint serves now. */
export interface Serving {
  endpoint: string;
  /** EndpointStatus; `missing` when the endpoint does not exist. */
  status: string;
  endpoint_config: string | null;
  model: string | null;
  model_data: string | null;
  /** The registry version whose ModelDataUrl it serves, or null. */
  version: number | null;
  version_arn: string | null;
  /** The kit's own model (deployed by `scones up`, `demo`, ...), which is not in the registry. */
  original: boolean;
  failure_reason?: string;
}

export interface RegistryListing {
  group: string;
  /** False when no retraining registered anything yet. */
  group_exists: boolean;
  versions: RegistryVersion[];
  serving: Serving;
}

export type RolloutOutcome = 'promoted' | 'rolled-back' | 'unchanged';

export interface RolloutRequest {
  /** A version number (`3`) or a model package ARN. */
  version: string;
  /** Share of the new fleet's capacity the canary takes first (1-50; default 10). */
  canaryPercent?: number;
  /** Baking period after the canary, in seconds (0-3600; default 30). */
  bakeSeconds?: number;
  /** Deploy a Rejected or not yet approved version anyway. */
  force?: boolean;
  /** DescribeEndpoint polls; default 1 s. */
  pollMs?: number;
  /** How long the rollout may take before the command gives up waiting (it goes on); default 30 min. */
  timeoutMs?: number;
  /** Reports progress (status changes). */
  progress?: (message: string) => void;
}

export interface RolloutReport {
  outcome: RolloutOutcome;
  /** What was rolled out: a registry version, or the kit's original model (rollback). */
  target: { version: number | null; arn: string | null; model: string; model_data: string | null };
  /** What served before. */
  before: Serving;
  /** What serves afterwards. */
  after: Serving;
  endpoint_config: string | null;
  /** DescribeEndpoint's FailureReason when the update was rolled back. */
  failure_reason?: string;
  /** The alarm AutoRollbackConfiguration watched, or null when CloudWatch has none. */
  alarm: string | null;
  canary_percent: number;
  bake_seconds: number;
  duration_ms: number;
}
