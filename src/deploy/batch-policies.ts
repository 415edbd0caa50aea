/**
 * IAM documents of the batch: the batch state machine's role and the summary function's role,
 * each statement scoped to the stage's resources, as the Step Functions developer guide gives them:
 * - Distributed Map: StartExecution on the state machine itself (its Map Run children), and
 *   DescribeExecution/StopExecution on `execution:<state machine>/<Map Run label>:*`
 *   ("IAM policies for using Distributed Map states",
 *   https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html);
 * - ItemReader over S3 ListObjectsV2: s3:ListBucket on the bucket ("ItemReader (Map)", IAM policies);
 * - ResultWriter: s3:PutObject, s3:GetObject, s3:ListMultipartUploadParts, s3:AbortMultipartUpload
 *   under the results prefix (result files of up to 5 GB go up in parts; "ResultWriter (Map)", IAM
 *   policies for ResultWriter);
 * - `states:startExecution.sync:2` of the classification: StartExecution on it, DescribeExecution and
 *   StopExecution on its executions, and events:PutTargets/PutRule/DescribeRule on the managed rule
 *   StepFunctionsGetEventsForStepFunctionsExecutionRule that Step Functions uses to learn that the
 *   child closed ("IAM policies for Step Functions", Synchronous,
 *   https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html).
 */
import { logStatement, type PolicyDocument } from './policies.ts';

/** Step Functions' managed EventBridge rule of the `.sync` patterns of `states:startExecution`. */
export const SYNC_EXECUTION_RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';

export interface BatchPolicyInput {
  partition: string;
  region: string;
  accountId: string;
  batchStateMachineName: string;
  /** The Label (or name) of each Distributed Map state: its children's executions are named after it. */
  mapRunLabels: string[];
  classificationStateMachineArn: string;
  summarizeFunctionArn: string;
  bucketArn: string;
  resultsPrefix: string;
}

export function batchStateMachinePolicy(input: BatchPolicyInput): PolicyDocument {
  const states = `arn:${input.partition}:states:${input.region}:${input.accountId}`;
  const classificationName = input.classificationStateMachineArn.split(':').at(-1) as string;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RunMapRunChildren',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: `${states}:stateMachine:${input.batchStateMachineName}`,
      },
      {
        Sid: 'TrackMapRunChildren',
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: [...input.mapRunLabels]
          .sort()
          .map((label) => `${states}:execution:${input.batchStateMachineName}/${label}:*`),
      },
      {
        Sid: 'StartClassifications',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: input.classificationStateMachineArn,
      },
      {
        Sid: 'AwaitClassifications',
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: `${states}:execution:${classificationName}:*`,
      },
      {
        Sid: 'HearClassificationsClose',
        Effect: 'Allow',
        Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        Resource: `arn:${input.partition}:events:${input.region}:${input.accountId}:rule/${SYNC_EXECUTION_RULE}`,
      },
      { Sid: 'ListImages', Effect: 'Allow', Action: 's3:ListBucket', Resource: input.bucketArn },
      {
        Sid: 'WriteResults',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        Resource: `${input.bucketArn}/${input.resultsPrefix}*`,
      },
      {
        Sid: 'InvokeSummary',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: input.summarizeFunctionArn,
      },
    ],
  };
}

/** The summary function reads the result files, writes summary.json beside them, and finds a manifest by prefix. */
export function summarizePolicy(input: {
  logGroupArn: string;
  bucketArn: string;
  resultsPrefix: string;
}): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadResultsWriteSummary',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: `${input.bucketArn}/${input.resultsPrefix}*`,
      },
      {
        Sid: 'FindManifest',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: input.bucketArn,
        Condition: { StringLike: { 's3:prefix': `${input.resultsPrefix}*` } },
      },
      logStatement(input.logGroupArn),
    ],
  };
}

/** Labels of the definition's Distributed Map states (their Label, else their name). */
export function mapRunLabels(definition: Record<string, unknown>): string[] {
  const labels: string[] = [];
  for (const [name, state] of Object.entries(
    (definition.States ?? {}) as Record<string, Record<string, unknown>>,
  )) {
    const processor = state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined;
    if (state.Type === 'Map' && processor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
      labels.push(typeof state.Label === 'string' ? state.Label : name);
    }
  }
  return labels;
}
