import { describe, expect, it } from 'vitest';
import {
  canonicalPolicy,
  classifyPolicy,
  filterPolicy,
  serializePolicy,
  stateMachinePolicy,
  trustPolicy,
} from '../../src/deploy/policies.ts';
import { arns, resourceNames } from '../../src/workflow/names.ts';

const scope = { partition: 'aws', region: 'eu-west-1', accountId: '123456789012' };
const arn = arns(scope, { bucket: 'my-images', endpointName: 'My-Endpoint' });
const names = resourceNames('prod');
const input = {
  logGroupArn: arn.logGroup(`/aws/lambda/${names.functions.classify}`),
  bucketArn: arn.bucket,
  endpointArn: arn.endpoint,
};

const resources = (policy: { Statement: { Resource?: string | string[] }[] }) =>
  policy.Statement.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource ?? '']));
const actions = (policy: { Statement: { Action: string | string[] }[] }) =>
  policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('IAM documents of a deployment', () => {
  it('give each Lambda only what its code calls, on its own resources', () => {
    expect(actions(serializePolicy(input))).toEqual(
      expect.arrayContaining(['s3:GetObject', 's3:ListBucket']),
    );
    expect(actions(serializePolicy(input))).not.toContain('sagemaker:InvokeEndpoint');
    expect(resources(serializePolicy(input))).toEqual(
      expect.arrayContaining(['arn:aws:s3:::my-images/*', 'arn:aws:s3:::my-images']),
    );
    // SageMaker lower-cases endpoint names in ARNs.
    expect(resources(classifyPolicy(input))).toContain(
      'arn:aws:sagemaker:eu-west-1:123456789012:endpoint/my-endpoint',
    );
    expect(actions(filterPolicy(input)).every((a) => a.startsWith('logs:'))).toBe(true);
    for (const policy of [serializePolicy(input), classifyPolicy(input), filterPolicy(input)]) {
      expect(resources(policy)).not.toContain('*');
      expect(resources(policy).filter((r) => r.includes(':logs:'))).toEqual([
        `arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/${names.functions.classify}`,
        `arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/${names.functions.classify}:*`,
      ]);
    }
  });

  it('let the state machine invoke the three functions and write review items only', () => {
    const functionArns = Object.values(names.functions).map((name) => arn.function(name));
    const policy = stateMachinePolicy({ functionArns, bucketArn: arn.bucket, reviewPrefix: 'review/' });
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: [...functionArns].sort() }),
      expect.objectContaining({ Action: 's3:PutObject', Resource: 'arn:aws:s3:::my-images/review/*' }),
    ]);
  });

  it('trust only the service that assumes the role', () => {
    expect(trustPolicy('states.amazonaws.com').Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
  });

  it('compare equal as IAM returns them (URL-encoded, lists reordered, single values unwrapped)', () => {
    const policy = serializePolicy(input);
    const asReturned = encodeURIComponent(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: policy.Statement.map((s) => ({
          ...s,
          Action: Array.isArray(s.Action) ? [...s.Action].reverse() : [s.Action],
        })),
      }),
    );
    expect(canonicalPolicy(asReturned)).toBe(canonicalPolicy(policy));
    expect(canonicalPolicy(classifyPolicy(input))).not.toBe(canonicalPolicy(policy));
  });
});
