/**
 * Cost estimate of a plan from the price table (prices.ts): training instance-hours (expected and
 * the stopping-condition ceiling), the endpoint per hour (real-time) or per request (serverless),
 * the workflow per request (intake and classification), the failure notifications, and per month
 * the CloudWatch alarms and the Lambdas' custom metrics. EventBridge routes AWS-service events
 * (uploads, status changes) for free. Only actions that will run are charged: a reused job costs
 * nothing.
 */
import type { ResolvedPromoteOptions } from '../options.ts';
import type { PromotionAction } from '../types.ts';
import { batchCostLine } from './batch-cost.ts';
import {
  CLOUDWATCH_PER_ALARM_MONTH,
  CLOUDWATCH_PER_CUSTOM_METRIC_MONTH,
  EVENTBRIDGE_PER_AWS_SERVICE_EVENT,
  HOSTING_PER_HOUR,
  LAMBDA_PER_GB_SECOND,
  LAMBDA_PER_REQUEST,
  PRICE_SOURCES,
  PRICES_AS_OF,
  PRICES_REGION,
  S3_PER_THOUSAND_PUTS,
  SERVERLESS_PER_GB_PROCESSED,
  SERVERLESS_PER_GB_SECOND,
  SFN_PER_TRANSITION,
  SNS_PER_EMAIL,
  SNS_PER_PUBLISH,
  TRAINING_PER_HOUR,
} from './prices.ts';
import { retrainingCostLine } from './retraining-cost.ts';
import type { CostEstimate, CostLine } from './types.ts';

/** Assumptions of the per-request figures (stated in the plan next to them). */
export const REQUEST_ASSUMPTIONS = {
  /** Serverless compute per inference of a 32x32 PNG, warm. */
  inferenceSeconds: 0.2,
  /** Request + response bytes of one inference (base64-free PNG in, JSON out). */
  bytesPerInference: 4_000,
  /** Standard-workflow state transitions of one execution (3 tasks, a choice, a pass, start/end). */
  transitionsPerExecution: 7,
  /** Lambda GB-seconds of one execution: serialize 1 GB x 0.3 s, classify 0.25 GB x 0.5 s, filter 0.125 GB x 0.05 s. */
  lambdaGbSecondsPerExecution: 0.43,
  /** Staged objects (1,200 images + manifests) uploaded once. */
  stagedObjects: 1_206,
  /** Standard-workflow state transitions of one intake execution (one task, start and end). */
  intakeTransitionsPerUpload: 3,
  /**
   * Custom metric series the Lambdas publish (EMF): ColdStart x 3 functions, Confidence,
   * LowConfidence, Decisions x 3 routes, ModelLatency, and Errors for about 3 error names.
   */
  customMetrics: 12,
};

const round = (usd: number) => Math.round(usd * 10_000) / 10_000;

/** USD per 1,000 executions of the workflow: Step Functions transitions and the three Lambdas. */
export function workflowUsdPerThousand(): number {
  return (
    1000 *
    (REQUEST_ASSUMPTIONS.transitionsPerExecution * SFN_PER_TRANSITION +
      3 * LAMBDA_PER_REQUEST +
      REQUEST_ASSUMPTIONS.lambdaGbSecondsPerExecution * LAMBDA_PER_GB_SECOND)
  );
}

export function estimateCost(
  options: ResolvedPromoteOptions,
  region: string,
  actions: PromotionAction[],
): CostEstimate {
  const lines: CostLine[] = [];
  const notes: string[] = [];
  const priceOf = (table: Readonly<Record<string, number>>, type: string) => {
    const price = table[type];
    if (price === undefined) notes.push(`no price in the table for ${type}: not included in the totals`);
    return price;
  };

  const training = actions.find((item) => item.step === 'training');
  const trains = training !== undefined && ['create', 'wait'].includes(training.change);
  const jobs = options.tune ? options.maxTuningJobs : 1;
  const trainingPrice = priceOf(TRAINING_PER_HOUR, options.trainingInstanceType);
  const expectedHours = trains ? (jobs * options.expectedTrainingMinutes) / 60 : 0;
  const maxHours = trains ? (jobs * options.maxTrainingMinutes) / 60 : 0;
  lines.push({
    item: options.tune ? 'tuning jobs' : 'training job',
    basis: trains
      ? `${jobs} x ~${options.expectedTrainingMinutes} min on ${options.trainingInstanceType} at $${trainingPrice ?? '?'}/h (ceiling ${jobs} x ${options.maxTrainingMinutes} min)`
      : 'reused: no new training',
    usd: trainingPrice === undefined ? undefined : round(expectedHours * trainingPrice),
    period: 'once',
  });
  const stagingUsd = (REQUEST_ASSUMPTIONS.stagedObjects / 1000) * S3_PER_THOUSAND_PUTS;
  lines.push({
    item: 'staging',
    basis: `~${REQUEST_ASSUMPTIONS.stagedObjects} S3 PUTs (first run)`,
    usd: round(stagingUsd),
    period: 'once',
  });

  let endpointPerHour = 0;
  let perThousand = 0;
  if (options.serverless) {
    const gb = options.serverlessMemoryMb / 1024;
    const compute = 1000 * gb * REQUEST_ASSUMPTIONS.inferenceSeconds * SERVERLESS_PER_GB_SECOND;
    const data = ((1000 * REQUEST_ASSUMPTIONS.bytesPerInference) / 1e9) * SERVERLESS_PER_GB_PROCESSED;
    perThousand += compute + data;
    lines.push({
      item: 'serverless endpoint',
      basis: `${options.serverlessMemoryMb} MB x ~${REQUEST_ASSUMPTIONS.inferenceSeconds} s per inference at $${SERVERLESS_PER_GB_SECOND}/GB-s + data; nothing while idle`,
      usd: round(compute + data),
      period: 'per 1,000 requests',
    });
  } else {
    const price = priceOf(HOSTING_PER_HOUR, options.endpointInstanceType);
    endpointPerHour = (price ?? 0) * options.endpointInstanceCount;
    lines.push({
      item: 'real-time endpoint',
      basis: `${options.endpointInstanceCount} x ${options.endpointInstanceType} at $${price ?? '?'}/h, billed until teardown (~$${round(endpointPerHour * 24)}/day)`,
      usd: price === undefined ? undefined : round(endpointPerHour),
      period: 'per hour',
    });
  }
  const workflow = workflowUsdPerThousand();
  perThousand += workflow;
  lines.push({
    item: 'workflow (Step Functions + 3 Lambdas)',
    basis: `${REQUEST_ASSUMPTIONS.transitionsPerExecution} transitions + 3 invocations per image`,
    usd: round(workflow),
    period: 'per 1,000 requests',
  });
  lines.push(batchCostLine(round));
  const retrains = actions.some(
    (item) => item.resourceType === 'step functions state machine' && item.name.endsWith('-model-retraining'),
  );
  if (retrains) lines.push(retrainingCostLine(round));

  const events = eventDrivenCosts(actions, options.notifyEmail !== undefined);
  lines.push(...events.lines);
  perThousand += events.perThousand;

  if (region !== PRICES_REGION) notes.push(`prices are ${PRICES_REGION} list prices; ${region} differs`);
  const requestsPerMonth = options.expectedRequestsPerDay * 30;
  return {
    lines,
    oneOffUsd: round(expectedHours * (trainingPrice ?? 0) + stagingUsd),
    oneOffMaxUsd: round(maxHours * (trainingPrice ?? 0) + stagingUsd),
    endpointPerHourUsd: round(endpointPerHour),
    monthlyUsd: round(endpointPerHour * 24 * 30 + (perThousand * requestsPerMonth) / 1000 + events.perMonth),
    requestsPerDay: options.expectedRequestsPerDay,
    pricesAsOf: PRICES_AS_OF,
    pricesRegion: PRICES_REGION,
    sources: PRICE_SOURCES,
    notes,
  };
}

/**
 * The event-driven part: uploads reach the intake through EventBridge (free: S3's events are AWS
 * service events on the default bus), each upload adds the intake's transitions, each failure one
 * SNS publish and one email per subscription, and the alarms and custom metrics bill per month.
 */
function eventDrivenCosts(actions: PromotionAction[], emailSubscribed: boolean) {
  const lines: CostLine[] = [];
  const rules = actions.filter((item) => item.resourceType === 'eventbridge rule').length;
  const alarms = actions.filter((item) => item.resourceType === 'cloudwatch alarm').length;
  const intakePerThousand = 1000 * REQUEST_ASSUMPTIONS.intakeTransitionsPerUpload * SFN_PER_TRANSITION;
  lines.push({
    item: `EventBridge (${rules} rules) + intake`,
    basis: `S3 upload and status-change events on the default bus are free ($${EVENTBRIDGE_PER_AWS_SERVICE_EVENT}); ${REQUEST_ASSUMPTIONS.intakeTransitionsPerUpload} intake transitions per upload`,
    usd: round(1000 * EVENTBRIDGE_PER_AWS_SERVICE_EVENT + intakePerThousand),
    period: 'per 1,000 requests',
  });
  const perFailure = SNS_PER_PUBLISH + (emailSubscribed ? SNS_PER_EMAIL : 0);
  lines.push({
    item: 'failure notifications (SNS)',
    basis: `1 publish${emailSubscribed ? ' + 1 email' : ' (no email subscription: --notify-email adds one)'} per failed execution; the first million publishes and 1,000 emails a month are free`,
    usd: round(1000 * perFailure),
    period: 'per 1,000 failures',
  });
  const alarmsPerMonth = alarms * CLOUDWATCH_PER_ALARM_MONTH;
  lines.push({
    item: `CloudWatch alarms (${alarms})`,
    basis: `standard resolution, $${CLOUDWATCH_PER_ALARM_MONTH} per alarm-month`,
    usd: round(alarmsPerMonth),
    period: 'per month',
  });
  const metricsPerMonth = REQUEST_ASSUMPTIONS.customMetrics * CLOUDWATCH_PER_CUSTOM_METRIC_MONTH;
  lines.push({
    item: 'CloudWatch custom metrics (Lambda EMF)',
    basis: `~${REQUEST_ASSUMPTIONS.customMetrics} series at $${CLOUDWATCH_PER_CUSTOM_METRIC_MONTH}/month each, if published every hour (prorated by the hour)`,
    usd: round(metricsPerMonth),
    period: 'per month',
  });
  return { lines, perThousand: intakePerThousand, perMonth: alarmsPerMonth + metricsPerMonth };
}

/** Why the local target's estimate is all zeros. */
export const LOCAL_COST_NOTE =
  'nothing is billed: every resource lives in the local stack (scones up) on this machine';

/** The estimate of a promotion to the local target: no line, no charge, the note saying why. */
export function localCost(options: ResolvedPromoteOptions): CostEstimate {
  return {
    lines: [],
    oneOffUsd: 0,
    oneOffMaxUsd: 0,
    endpointPerHourUsd: 0,
    monthlyUsd: 0,
    requestsPerDay: options.expectedRequestsPerDay,
    pricesAsOf: PRICES_AS_OF,
    pricesRegion: 'local',
    sources: [],
    notes: [LOCAL_COST_NOTE],
  };
}
