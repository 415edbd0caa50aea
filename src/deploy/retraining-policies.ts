/**
 * IAM documents of the retraining (statemachine/model-retraining.asl.json): its state machine's role
 * and its two functions' roles, every statement on the stage's own names. The state machine's
 * statements follow the Step Functions developer guide's templates for its integrations:
 * - `sagemaker:createTrainingJob.sync` and `createHyperParameterTuningJob.sync`: Create/Describe/Stop
 *   on the job, `sagemaker:ListTags`, iam:PassRole of the SageMaker role with
 *   `iam:PassedToService: sagemaker.amazonaws.com`, and events:PutTargets/PutRule/DescribeRule on the
 *   managed rules StepFunctionsGetEventsForSageMakerTrainingJobsRule / ...TuningJobsRule ("IAM
 *   policies for calling Amazon SageMaker",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html);
 * - request-response `sagemaker:createModel`, `createEndpointConfig`, `createEndpoint`,
 *   `updateEndpoint` and the `aws-sdk:sagemaker:*` calls: the API action on its resource (same page;
 *   "AWS SDK service integrations": the action named as the API);
 * - `aws-sdk:sfn:listExecutions`: states:ListExecutions on the state machine itself;
 * - `sns:publish`: sns:Publish on the stage's topic ("IAM policies for calling Amazon SNS").
 * SageMaker writes resource names lower-case in ARNs, so every SageMaker pattern is lower-cased.
 */
import { logStatement, type PolicyDocument } from './policies.ts';

/** Step Functions' managed EventBridge rules of the SageMaker `.sync` integrations. */
export const SAGEMAKER_SYNC_RULES = [
  'StepFunctionsGetEventsForSageMakerTrainingJobsRule',
  'StepFunctionsGetEventsForSageMakerTuningJobsRule',
] as const;

/*
 * The ASL names a run's tuning job `<run prefix><8 hex>` (tuning-job names have 32 characters at
 * most, too few for the execution's name), and SageMaker names its training jobs
 * `<tuning job>-<nnn>-<hash>`: both fall under the run prefix.
 */

export interface RetrainingPolicyInput {
  partition: string;
  region: string;
  accountId: string;
  /** The retraining state machine's own ARN (it lists its running executions). */
  stateMachineArn: string;
  functionArns: string[];
  /** `scones-<stage>-`: the stage's names (the model and config in service are the stage's own). */
  stagePrefix: string;
  /** `scones-<stage>-rt-`: training jobs, models and endpoint configs a run creates. */
  runNamePrefix: string;
  endpointName: string;
  modelPackageGroupName: string;
  sagemakerRoleArn: string;
  topicArn: string;
}

export function retrainingStateMachinePolicy(input: RetrainingPolicyInput): PolicyDocument {
  const sagemaker = (resource: string) =>
    `arn:${input.partition}:sagemaker:${input.region}:${input.accountId}:${resource.toLowerCase()}`;
  const run = input.runNamePrefix;
  const group = input.modelPackageGroupName;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'InvokeRetrainingFunctions',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [...input.functionArns].sort(),
      },
      {
        Sid: 'RefuseOverlappingRuns',
        Effect: 'Allow',
        Action: 'states:ListExecutions',
        Resource: input.stateMachineArn,
      },
      {
        Sid: 'TrainCandidates',
        Effect: 'Allow',
        Action: ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
        Resource: sagemaker(`training-job/${run}*`),
      },
      {
        Sid: 'TuneCandidates',
        Effect: 'Allow',
        Action: [
          'sagemaker:CreateHyperParameterTuningJob',
          'sagemaker:DescribeHyperParameterTuningJob',
          'sagemaker:StopHyperParameterTuningJob',
          'sagemaker:ListTrainingJobsForHyperParameterTuningJob',
        ],
        Resource: sagemaker(`hyper-parameter-tuning-job/${run}*`),
      },
      {
        Sid: 'DeployCandidates',
        Effect: 'Allow',
        Action: ['sagemaker:CreateModel', 'sagemaker:CreateEndpointConfig'],
        Resource: [sagemaker(`model/${run}*`), sagemaker(`endpoint-config/${run}*`)],
      },
      {
        Sid: 'ReadWhatServes',
        Effect: 'Allow',
        Action: ['sagemaker:DescribeModel', 'sagemaker:DescribeEndpointConfig'],
        Resource: [
          sagemaker(`model/${input.stagePrefix}*`),
          sagemaker(`endpoint-config/${input.stagePrefix}*`),
        ],
      },
      {
        Sid: 'RollOutOnStageEndpoint',
        Effect: 'Allow',
        Action: ['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:DescribeEndpoint'],
        Resource: [sagemaker(`endpoint/${input.endpointName}`), sagemaker(`endpoint-config/${run}*`)],
      },
      {
        Sid: 'RegisterCandidates',
        Effect: 'Allow',
        Action: [
          'sagemaker:DescribeModelPackageGroup',
          'sagemaker:CreateModelPackageGroup',
          'sagemaker:CreateModelPackage',
        ],
        Resource: [sagemaker(`model-package-group/${group}`), sagemaker(`model-package/${group}/*`)],
      },
      {
        Sid: 'TagRunResources',
        Effect: 'Allow',
        Action: 'sagemaker:AddTags',
        Resource: [
          sagemaker(`training-job/${run}*`),
          sagemaker(`hyper-parameter-tuning-job/${run}*`),
          sagemaker(`model/${run}*`),
          sagemaker(`endpoint-config/${run}*`),
          sagemaker(`endpoint/${input.endpointName}`),
          sagemaker(`model-package-group/${group}`),
          sagemaker(`model-package/${group}/*`),
        ],
      },
      // The .sync templates of "IAM policies for calling Amazon SageMaker" grant sagemaker:ListTags
      // on `*`: Step Functions reads the job's tags while it waits, and the guide gives no narrower form.
      { Sid: 'ReadJobTags', Effect: 'Allow', Action: 'sagemaker:ListTags', Resource: '*' },
      {
        Sid: 'PassSageMakerRole',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: input.sagemakerRoleArn,
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      },
      {
        Sid: 'HearJobsEnd',
        Effect: 'Allow',
        Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        Resource: SAGEMAKER_SYNC_RULES.map(
          (rule) => `arn:${input.partition}:events:${input.region}:${input.accountId}:rule/${rule}`,
        ),
      },
      { Sid: 'NotifyOutcome', Effect: 'Allow', Action: 'sns:Publish', Resource: input.topicArn },
    ],
  };
}

export interface RetrainingFunctionPolicyInput {
  logGroupArn: string;
  bucketArn: string;
  /** Staged dataset (read), e.g. `datasets/cifar-100/`. */
  datasetPrefix: string;
  groundTruthPrefix: string;
  capturePrefix: string;
  /** Where runs write: `retraining/`. */
  retrainingPrefix: string;
}

/**
 * BuildTrainingSet reads the staged splits, the reviewers' ground truth and the endpoint's capture,
 * lists them (ListObjectsV2 by prefix), and writes the run's channels and evaluation set.
 */
export function buildTrainingSetPolicy(input: RetrainingFunctionPolicyInput): PolicyDocument {
  const reads = [input.datasetPrefix, input.groundTruthPrefix, input.capturePrefix];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadLabelsAndImages',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: reads.map((prefix) => `${input.bucketArn}/${prefix}*`),
      },
      {
        Sid: 'ListLabelsAndImages',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: input.bucketArn,
        Condition: {
          StringLike: { 's3:prefix': [...reads, input.retrainingPrefix].map((prefix) => `${prefix}*`) },
        },
      },
      {
        Sid: 'WriteRunChannels',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject'],
        Resource: `${input.bucketArn}/${input.retrainingPrefix}*`,
      },
      logStatement(input.logGroupArn),
    ],
  };
}

/**
 * EvaluateCandidate reads the run's evaluation set, the candidate's model.tar.gz (under the run) and
 * the model in service's (promote's `models/` or an earlier run's), and writes the report.
 */
export function evaluateCandidatePolicy(
  input: RetrainingFunctionPolicyInput & { modelPrefixes: string[] },
): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadEvaluationSetAndModels',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [input.retrainingPrefix, input.datasetPrefix, ...input.modelPrefixes].map(
          (prefix) => `${input.bucketArn}/${prefix}*`,
        ),
      },
      {
        Sid: 'WriteReport',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: `${input.bucketArn}/${input.retrainingPrefix}*`,
      },
      // Without ListBucket S3 answers 403 instead of 404 for a missing key: EvaluationInputNotFound needs it.
      {
        Sid: 'TellMissingKeys',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: input.bucketArn,
        Condition: {
          StringLike: {
            's3:prefix': [input.retrainingPrefix, input.datasetPrefix, ...input.modelPrefixes].map(
              (prefix) => `${prefix}*`,
            ),
          },
        },
      },
      logStatement(input.logGroupArn),
    ],
  };
}
