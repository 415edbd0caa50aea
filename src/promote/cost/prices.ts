/**
 * On-demand list prices (USD, us-east-1) used by the plan's cost estimate. Estimates only: other
 * regions cost more or less, savings plans and free tier are ignored, taxes excluded.
 *
 * Sources (as of PRICES_AS_OF):
 * - SageMaker: https://aws.amazon.com/sagemaker/pricing/ (On-Demand: Training, Real-Time
 *   Inference, Serverless Inference per second of compute by memory size, data processed)
 * - Step Functions: https://aws.amazon.com/step-functions/pricing/ (Standard workflows)
 * - Lambda: https://aws.amazon.com/lambda/pricing/ (x86, requests and GB-seconds)
 * - S3: https://aws.amazon.com/s3/pricing/ (Standard storage, PUT requests)
 * - EventBridge: https://aws.amazon.com/eventbridge/pricing/ (Event Bus: events published by AWS
 *   services to the default bus, such as S3's object events and Step Functions' status changes,
 *   are free, rule matching and target delivery included; custom events $1.00 per million, not used)
 * - SNS: https://aws.amazon.com/sns/pricing/ (Standard topics: $0.50 per million publishes after the
 *   first million a month; email deliveries $2.00 per 100,000 after the first 1,000 a month)
 * - CloudWatch: https://aws.amazon.com/cloudwatch/pricing/ (standard-resolution metric alarm $0.10
 *   per alarm metric-month; custom metrics $0.30 per metric-month for the first 10,000, prorated by
 *   the hour and charged only in hours a metric is published; the Lambdas' EMF metrics are custom)
 */

export const PRICES_AS_OF = '2026-11-26';
export const PRICES_REGION = 'us-east-1';
export const PRICE_SOURCES = [
  'https://aws.amazon.com/sagemaker/pricing/',
  'https://aws.amazon.com/step-functions/pricing/',
  'https://aws.amazon.com/lambda/pricing/',
  'https://aws.amazon.com/s3/pricing/',
  'https://aws.amazon.com/eventbridge/pricing/',
  'https://aws.amazon.com/sns/pricing/',
  'https://aws.amazon.com/cloudwatch/pricing/',
] as const;

/** USD per instance-hour of a training job. */
export const TRAINING_PER_HOUR: Readonly<Record<string, number>> = {
  'ml.g4dn.xlarge': 0.736,
  'ml.g4dn.2xlarge': 1.053,
  'ml.g5.xlarge': 1.408,
  'ml.g5.2xlarge': 1.515,
  'ml.p3.2xlarge': 3.825,
  'ml.p3.8xlarge': 14.688,
  'ml.m5.xlarge': 0.23,
  'ml.c5.xlarge': 0.204,
};

/** USD per instance-hour of a real-time endpoint. */
export const HOSTING_PER_HOUR: Readonly<Record<string, number>> = {
  'ml.t2.medium': 0.056,
  'ml.m5.large': 0.115,
  'ml.m5.xlarge': 0.23,
  'ml.c5.large': 0.102,
  'ml.c5.xlarge': 0.204,
  'ml.g4dn.xlarge': 0.736,
};

/** Serverless inference: USD per second of compute for each GB of configured memory. */
export const SERVERLESS_PER_GB_SECOND = 0.00002;
/** Serverless inference: USD per GB of data in or out. */
export const SERVERLESS_PER_GB_PROCESSED = 0.016;
/** Step Functions Standard: USD per state transition. */
export const SFN_PER_TRANSITION = 0.000025;
/** Lambda (x86): USD per request and per GB-second. */
export const LAMBDA_PER_REQUEST = 0.0000002;
export const LAMBDA_PER_GB_SECOND = 0.0000166667;
/** S3 Standard: USD per GB-month and per 1,000 PUT requests. */
export const S3_PER_GB_MONTH = 0.023;
export const S3_PER_THOUSAND_PUTS = 0.005;
// EventBridge, SNS and CloudWatch: checked 2026-12-01 (the rest as of PRICES_AS_OF).
/** EventBridge: USD per event of an AWS service on the default bus (S3 uploads, execution status changes). */
export const EVENTBRIDGE_PER_AWS_SERVICE_EVENT = 0;
/** SNS Standard topic: USD per publish (beyond the monthly free million) and per email delivery (beyond 1,000). */
export const SNS_PER_PUBLISH = 0.0000005;
export const SNS_PER_EMAIL = 0.00002;
/** CloudWatch: USD per standard-resolution alarm metric per month, and per custom metric per month. */
export const CLOUDWATCH_PER_ALARM_MONTH = 0.1;
export const CLOUDWATCH_PER_CUSTOM_METRIC_MONTH = 0.3;

export function hourlyPrice(
  table: Readonly<Record<string, number>>,
  instanceType: string,
): number | undefined {
  return table[instanceType];
}
