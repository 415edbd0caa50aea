/**
 * IAM documents of the deployment: trust policies for the two service principals and one
 * least-privilege inline policy per role, every statement scoped to a resource ARN.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  /** Operator -> condition key -> value(s), e.g. `{ ArnEquals: { 'aws:SourceArn': ruleArn } }`. */
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export function trustPolicy(
  service: 'lambda.amazonaws.com' | 'states.amazonaws.com' | 'events.amazonaws.com',
): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  };
}

/** Log group and streams of one function only (AWSLambdaBasicExecutionRole uses `*`). */
export function logStatement(logGroupArn: string): PolicyStatement {
  return {
    Sid: 'WriteOwnLogs',
    Effect: 'Allow',
    Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: [logGroupArn, `${logGroupArn}:*`],
  };
}

export interface LambdaPolicyInput {
  logGroupArn: string;
  bucketArn: string;
  endpointArn: string;
}

export function serializePolicy(input: LambdaPolicyInput): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadImages', Effect: 'Allow', Action: 's3:GetObject', Resource: `${input.bucketArn}/*` },
      // Without ListBucket S3 answers 403 instead of 404 for a missing key: ImageNotFound needs it.
      { Sid: 'TellMissingKeys', Effect: 'Allow', Action: 's3:ListBucket', Resource: input.bucketArn },
      logStatement(input.logGroupArn),
    ],
  };
}

export function classifyPolicy(input: LambdaPolicyInput): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'InvokeModelEndpoint',
        Effect: 'Allow',
        Action: 'sagemaker:InvokeEndpoint',
        Resource: input.endpointArn,
      },
      logStatement(input.logGroupArn),
    ],
  };
}

export function filterPolicy(input: LambdaPolicyInput): PolicyDocument {
  return { Version: '2012-10-17', Statement: [logStatement(input.logGroupArn)] };
}

export function stateMachinePolicy(input: {
  functionArns: string[];
  bucketArn: string;
  reviewPrefix: string;
}): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'InvokeWorkflowFunctions',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [...input.functionArns].sort(),
      },
      {
        Sid: 'WriteReviewItems',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: `${input.bucketArn}/${input.reviewPrefix}*`,
      },
    ],
  };
}

/**
 * EventBridge's role for the rules' state-machine targets (the upload rule's: the intake only):
 * StartExecution of exactly those state machines.
 */
export function eventsRolePolicy(input: { stateMachineArns: string[] }): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'StartTargetExecutions',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: [...input.stateMachineArns].sort(),
      },
    ],
  };
}

/**
 * The failure topic's access policy (it replaces SNS's default one, which lets every principal of
 * the account publish): EventBridge may publish for the failure rule only (`aws:SourceArn`, the
 * rule that sends the event: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html),
 * CloudWatch for the stage's alarms only. Principals of the account whose own IAM policy allows
 * `sns:Publish` can still publish: a resource policy cannot take away what an identity policy of
 * the same account grants without an explicit Deny, and a Deny would also risk the alarms.
 */
export function notificationTopicPolicy(input: {
  topicArn: string;
  /** The rules whose target is the topic (the failure rule). */
  ruleArns: string[];
  alarmArns: string[];
  accountId: string;
}): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FailureRulePublishes',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: input.topicArn,
        Condition: { ArnEquals: { 'aws:SourceArn': [...input.ruleArns].sort() } },
      },
      {
        Sid: 'StageAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: input.topicArn,
        Condition: {
          ArnEquals: { 'aws:SourceArn': [...input.alarmArns].sort() },
          StringEquals: { 'aws:SourceAccount': input.accountId },
        },
      },
    ],
  };
}

/**
 * The intake state machine's one permission: StartExecution of the classification state machine.
 * The request-response `states:startExecution` integration needs nothing more ("IAM policies for
 * starting Step Functions executions", asynchronous template; `.sync` would add DescribeExecution,
 * StopExecution and the managed EventBridge rule).
 */
export function intakePolicy(input: { classificationStateMachineArn: string }): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'StartClassification',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: input.classificationStateMachineArn,
      },
    ],
  };
}

/** Canonical form for comparison: IAM returns documents URL-encoded, lists may come back reordered. */
export function canonicalPolicy(document: string | PolicyDocument | undefined): string {
  if (document === undefined) return '';
  const parsed = (typeof document === 'string' ? JSON.parse(decodeURIComponent(document)) : document) as {
    Statement?: PolicyStatement | PolicyStatement[];
  };
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  const asSortedList = (value: unknown) => (Array.isArray(value) ? [...value].sort() : [value]);
  const normalized = statements.map((statement) => {
    const entries = Object.entries(statement ?? {}).map(([key, value]) => {
      if (key === 'Action' || key === 'Resource') return [key, asSortedList(value)];
      if (key === 'Principal' && value && typeof value === 'object') {
        return [key, Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asSortedList(v)]))];
      }
      if (key === 'Condition' && value && typeof value === 'object') {
        const byOperator = Object.entries(value as Record<string, Record<string, unknown>>).map(
          ([operator, keys]) => {
            const values = Object.entries(keys ?? {}).map(([k, v]) => [k, asSortedList(v)] as const);
            return [operator, Object.fromEntries(values.sort(([a], [b]) => a.localeCompare(b)))] as const;
          },
        );
        return [key, Object.fromEntries(byOperator.sort(([a], [b]) => a.localeCompare(b)))];
      }
      return [key, value];
    });
    return Object.fromEntries(entries.sort(([a], [b]) => String(a).localeCompare(String(b))));
  });
  return JSON.stringify(normalized);
}
