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
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export function trustPolicy(service: 'lambda.amazonaws.com' | 'states.amazonaws.com'): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  };
}

/** Log group and streams of one function only (AWSLambdaBasicExecutionRole uses `*`). */
function logStatement(logGroupArn: string): PolicyStatement {
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
      return [key, value];
    });
    return Object.fromEntries(entries.sort(([a], [b]) => String(a).localeCompare(String(b))));
  });
  return JSON.stringify(normalized);
}
