/**
 * The execution role SageMaker assumes for training jobs and for the endpoint: read the staged
 * channels, write and read model artifacts, write captured traffic, write its logs and metrics.
 * Created through the deploy module's ensureRole (one IAM code path for the kit).
 */
import type { PolicyDocument, PolicyStatement } from '../../deploy/policies.ts';
import { RETRAINING_PREFIX } from '../../workflow/definition.ts';
import { ALGORITHM_REPOSITORY, IMAGE_CLASSIFICATION_REGISTRIES } from '../algorithm-image.ts';
import type { ResolvedPromoteOptions } from '../options.ts';
import { CHANNELS, DATA_PREFIX, MODEL_OUTPUT_PREFIX } from '../specs.ts';
import type { PromotionTarget } from '../target.ts';

/** IAM statements may carry conditions; the deploy module's type has no field for them. */
interface ConditionalStatement extends PolicyStatement {
  Condition?: Record<string, Record<string, string | string[]>>;
}

export const SAGEMAKER_TRUST_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};

export function sagemakerExecutionPolicy(
  options: Pick<ResolvedPromoteOptions, 'capturePrefix'>,
  target: Pick<PromotionTarget, 'partition' | 'region' | 'accountId' | 'bucket'>,
): PolicyDocument {
  const { partition, region, accountId, bucket } = target;
  const bucketArn = `arn:${partition}:s3:::${bucket}`;
  const registry = IMAGE_CLASSIFICATION_REGISTRIES[region] ?? accountId;
  const statements: ConditionalStatement[] = [
    {
      Sid: 'ReadTrainingChannels',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: CHANNELS.map((name) => `${bucketArn}/${DATA_PREFIX}${name}/*`),
    },
    {
      // The retraining state machine's runs: channels built from reviewed labels, candidates' artifacts.
      Sid: 'TrainAndLoadRetrainingRuns',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: `${bucketArn}/${RETRAINING_PREFIX}*`,
    },
    {
      Sid: 'ListTrainingChannels',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn,
      Condition: {
        StringLike: {
          's3:prefix': [
            ...CHANNELS.map((name) => `${DATA_PREFIX}${name}/*`),
            `${MODEL_OUTPUT_PREFIX}*`,
            `${RETRAINING_PREFIX}*`,
          ],
        },
      },
    },
    {
      Sid: 'WriteAndLoadModelArtifacts',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject'],
      Resource: `${bucketArn}/${MODEL_OUTPUT_PREFIX}*`,
    },
    {
      Sid: 'WriteCapturedTraffic',
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: `${bucketArn}/${options.capturePrefix}*`,
    },
    {
      Sid: 'PullAlgorithmImage',
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Resource: `arn:${partition}:ecr:${region}:${registry}:repository/${ALGORITHM_REPOSITORY}`,
    },
    // The two actions below have no resource-level permissions in IAM: `*` is the only form AWS accepts.
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Sid: 'PublishSageMakerMetrics',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'aws/sagemaker/*'] } },
    },
    {
      Sid: 'WriteSageMakerLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      Resource: [
        `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/sagemaker/*`,
        `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/sagemaker/*:*`,
      ],
    },
  ];
  return { Version: '2012-10-17', Statement: statements };
}

/** Actions allowed on `*` because IAM offers nothing narrower; tests hold every other statement to an ARN. */
export const UNSCOPABLE_ACTIONS = ['ecr:GetAuthorizationToken', 'cloudwatch:PutMetricData'] as const;
