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
 */

export const PRICES_AS_OF = '2026-11-26';
export const PRICES_REGION = 'us-east-1';
export const PRICE_SOURCES = [
  'https://aws.amazon.com/sagemaker/pricing/',
  'https://aws.amazon.com/step-functions/pricing/',
  'https://aws.amazon.com/lambda/pricing/',
  'https://aws.amazon.com/s3/pricing/',
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

export function hourlyPrice(
  table: Readonly<Record<string, number>>,
  instanceType: string,
): number | undefined {
  return table[instanceType];
}
