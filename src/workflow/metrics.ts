/**
 * Names of what the three Lambdas publish in CloudWatch's Embedded Metric Format (Powertools
 * Metrics), shared with whatever reads them: `scones monitor` (the EMF lines of the embedded run
 * logs, the same lines CloudWatch extracts on AWS) and the CloudWatch alarms of a promotion.
 *
 * Dimensions stay few: every metric has `service` and `function_name` (the deployed function's
 * name, as Powertools' cold-start metric has it); `Decisions` adds `route`, `Errors` adds `error`.
 */

/** POWERTOOLS_METRICS_NAMESPACE of every function. */
export const METRICS_NAMESPACE = 'Scones';
/** POWERTOOLS_SERVICE_NAME of every function: the `service` key of log lines and metrics. */
export const SERVICE_NAME = 'scones';

export const METRIC = {
  /** Top class probability of a decision (FilterInferences; unit None, 0-1). */
  confidence: 'Confidence',
  /** 1 when the decision is below the threshold, else 0: its Average is the low-confidence share. */
  lowConfidence: 'LowConfidence',
  /** 1 per decision, by `route` (short-range, long-range, manual-review). */
  decisions: 'Decisions',
  /** Time of the InvokeEndpoint call as the classify Lambda saw it (Milliseconds). */
  modelLatency: 'ModelLatency',
  /** 1 per failed invocation, by `error` (the error name Step Functions sees). */
  errors: 'Errors',
  /** 1 on the first invocation of an execution environment. */
  coldStart: 'ColdStart',
  /** Images of a batch, and those that failed (SummarizeBatch, once per batch; Count). */
  batchImages: 'BatchImages',
  batchFailedImages: 'BatchFailedImages',
  /**
   * 1 per ground truth label a reviewer wrote (`scones review`; Count, dimensions `service` and
   * `stage`): the reviewed-labels alarm sums it, and its ALARM starts a retraining.
   */
  reviewedLabels: 'ReviewedLabels',
} as const;

export const DIMENSION = {
  service: 'service',
  functionName: 'function_name',
  route: 'route',
  error: 'error',
  /** The kit's stage, on metrics no function publishes (ReviewedLabels). */
  stage: 'stage',
} as const;
