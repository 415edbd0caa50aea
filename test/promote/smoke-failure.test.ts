/**
 * The message of a promotion whose smoke execution did not succeed: what failed, what is left in
 * the account (and what it bills), and the teardown command that reaches the same stage.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { action } from '../../src/promote/actions.ts';
import { resolvePromoteOptions } from '../../src/promote/options.ts';
import { smokeFailureMessage, teardownCommandFor } from '../../src/promote/smoke/smoke-failure.ts';
import type { PromotionTarget } from '../../src/promote/target.ts';

const target: PromotionTarget = {
  kind: 'aws',
  stage: 'demo',
  region: 'eu-west-1',
  accountId: '111122223333',
  partition: 'aws',
  callerArn: 'arn:aws:iam::111122223333:user/dev',
  bucket: 'scones-demo-111122223333-eu-west-1',
  endpointName: 'scones-demo-image-classification',
  config: loadConfig({ SCONES_TARGET: 'aws' }),
};
const actions = [
  action('bucket', 's3 bucket', target.bucket, 'none'),
  action('stage-data', 's3 objects', 's3://x/', 'run'),
  action('endpoint', 'sagemaker endpoint', target.endpointName, 'create'),
  action('workflow', 'lambda function', 'scones-demo-classify-image', 'create'),
  action('smoke', 'step functions execution', 'smoke', 'run'),
];

describe('smokeFailureMessage', () => {
  it('reports a timed-out execution, a real-time endpoint with its hourly bill, and the teardown command', () => {
    const message = smokeFailureMessage({
      failure: {
        status: 'TIMED_OUT',
        error: 'States.Timeout',
        cause: 'The execution ran past its TimeoutSeconds',
        failedState: 'ClassifyImage',
        executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:m:smoke-1',
        consoleUrl: 'https://eu-west-1.console.aws.amazon.com/states/home#/x',
      },
      target,
      actions,
      options: resolvePromoteOptions({ endpointInstanceType: 'ml.c5.xlarge', endpointInstanceCount: 2 }),
      endpointPerHourUsd: 0.408,
      profile: 'work',
    });
    expect(message.split('\n')).toEqual([
      'the smoke execution ended TIMED_OUT: stage "demo" is deployed but does not classify end to end.',
      '  Error: States.Timeout',
      '  Cause: The execution ran past its TimeoutSeconds',
      '  failed in state: ClassifyImage',
      '  execution: arn:aws:states:eu-west-1:111122223333:execution:m:smoke-1',
      '  console: https://eu-west-1.console.aws.amazon.com/states/home#/x',
      'Left in account 111122223333, eu-west-1:',
      '  sagemaker endpoint scones-demo-image-classification: 2 x ml.c5.xlarge, billed ~$0.4080/hour until torn down',
      '  lambda functions: scones-demo-classify-image',
      `  s3 bucket (data, model artifacts, captured traffic): ${target.bucket}`,
      'Fix the cause and run `scones promote` again (it resumes and changes only what differs), or remove it all:',
      '  scones teardown --stage demo --region eu-west-1 --profile work',
    ]);
  });

  it('says when an aborted execution gave no error, and that a serverless endpoint bills per request', () => {
    const message = smokeFailureMessage({
      failure: {
        status: 'ABORTED',
        executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:m:smoke-2',
      },
      target,
      actions,
      options: resolvePromoteOptions({ serverless: true }),
      endpointPerHourUsd: 0,
    });
    expect(message).toContain('ended ABORTED');
    expect(message).toContain('  Error: (none given)');
    expect(message).toContain('serverless (2048 MB), billed per request only');
    expect(message).not.toContain('failed in state');
    expect(message.endsWith(teardownCommandFor(target))).toBe(true);
    expect(teardownCommandFor(target)).toBe('scones teardown --stage demo --region eu-west-1');
  });
});
