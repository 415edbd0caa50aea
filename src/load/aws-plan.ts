/**
 * What `scones load --target aws` will do and what it costs, printed before anything is uploaded
 * and confirmed by the user. Prices come from the promote module's table and helpers (the same
 * assumptions as `scones promote --plan`); the endpoint is not charged here: a real-time endpoint
 * bills per hour while it exists (promote's plan showed that), a serverless one per inference.
 */
import {
  EVENTBRIDGE_PER_AWS_SERVICE_EVENT,
  PRICES_AS_OF,
  PRICES_REGION,
  REQUEST_ASSUMPTIONS,
  S3_PER_GB_MONTH,
  S3_PER_THOUSAND_PUTS,
  SFN_PER_TRANSITION,
  workflowUsdPerThousand,
} from '../promote/cost/index.ts';

export interface AwsLoadPlan {
  uploads: number;
  bytes: number;
  lines: { item: string; basis: string; usd: number }[];
  totalUsd: number;
  text: string;
}

const usd = (x: number) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function planAwsLoad(options: {
  uploads: number;
  meanImageBytes: number;
  bucket: string;
  keyPrefix: string;
  region: string;
  stateMachineArn: string;
  account: string;
  pace: string;
}): AwsLoadPlan {
  const bytes = Math.round(options.uploads * options.meanImageBytes);
  const lines = [
    {
      item: 'S3 PUT requests',
      basis: `${options.uploads} x $${S3_PER_THOUSAND_PUTS}/1,000`,
      usd: (options.uploads / 1000) * S3_PER_THOUSAND_PUTS,
    },
    {
      item: 'S3 storage',
      basis: `${mb(bytes)} for a month at $${S3_PER_GB_MONTH}/GB-month (less once deleted)`,
      usd: (bytes / 1e9) * S3_PER_GB_MONTH,
    },
    {
      item: 'intake (EventBridge + intake state machine)',
      basis: `${options.uploads} S3 events at $${EVENTBRIDGE_PER_AWS_SERVICE_EVENT} + ${REQUEST_ASSUMPTIONS.intakeTransitionsPerUpload} intake transitions each`,
      usd:
        options.uploads *
        (EVENTBRIDGE_PER_AWS_SERVICE_EVENT +
          REQUEST_ASSUMPTIONS.intakeTransitionsPerUpload * SFN_PER_TRANSITION),
    },
    {
      item: 'workflow executions',
      basis: `${options.uploads} x (${REQUEST_ASSUMPTIONS.transitionsPerExecution} transitions + 3 Lambda invocations)`,
      usd: (options.uploads / 1000) * workflowUsdPerThousand(),
    },
  ];
  const totalUsd = lines.reduce((sum, line) => sum + line.usd, 0);
  const width = Math.max(...lines.map((line) => line.item.length));
  const text = [
    `scones load on AWS (account ${options.account}, region ${options.region})`,
    `  uploads:        ${options.uploads} images (${mb(bytes)}) ${options.pace}`,
    `  to:             s3://${options.bucket}/${options.keyPrefix}`,
    `  state machine:  ${options.stateMachineArn} (each upload starts one execution)`,
    `  estimated cost (${PRICES_REGION} list prices as of ${PRICES_AS_OF}):`,
    ...lines.map((line) => `    ${line.item.padEnd(width)}  ${usd(line.usd).padStart(9)}  ${line.basis}`),
    `    ${'total'.padEnd(width)}  ${usd(totalUsd).padStart(9)}`,
    '  not included: the SageMaker endpoint (real-time: per instance-hour while it exists; serverless: per inference)',
    `  the images stay: remove them with \`aws s3 rm --recursive s3://${options.bucket}/${options.keyPrefix}\``,
    ...(options.region === PRICES_REGION
      ? []
      : [`  prices are ${PRICES_REGION} list prices; ${options.region} differs`]),
  ].join('\n');
  return { uploads: options.uploads, bytes, lines, totalUsd, text };
}
