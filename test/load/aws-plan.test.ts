/** The plan `scones load --target aws` prints before uploading: counts, where, and the cost from promote's price table. */
import { describe, expect, it } from 'vitest';
import { planAwsLoad } from '../../src/load/aws-plan.ts';
import { REQUEST_ASSUMPTIONS, workflowUsdPerThousand } from '../../src/promote/cost/cost.ts';
import {
  EVENTBRIDGE_PER_AWS_SERVICE_EVENT,
  S3_PER_GB_MONTH,
  S3_PER_THOUSAND_PUTS,
  SFN_PER_TRANSITION,
} from '../../src/promote/cost/prices.ts';

describe('the AWS load plan', () => {
  it('prices the uploads, their storage and the executions from the promote price table', () => {
    const plan = planAwsLoad({
      uploads: 10_000,
      meanImageBytes: 2_500,
      bucket: 'scones-dev-123-eu-west-1',
      keyPrefix: 'incoming/load-run/',
      region: 'eu-west-1',
      stateMachineArn: 'arn:aws:states:eu-west-1:123:stateMachine:scones-dev-image-classification',
      account: '123',
      pace: 'in a burst (32 at once)',
    });
    expect(plan.bytes).toBe(25_000_000);
    const intake =
      10_000 *
      (EVENTBRIDGE_PER_AWS_SERVICE_EVENT +
        REQUEST_ASSUMPTIONS.intakeTransitionsPerUpload * SFN_PER_TRANSITION);
    const expected =
      10 * S3_PER_THOUSAND_PUTS + 0.025 * S3_PER_GB_MONTH + intake + 10 * workflowUsdPerThousand();
    expect(plan.totalUsd).toBeCloseTo(expected, 10);
    expect(plan.totalUsd).toBeGreaterThan(0);
    expect(plan.text).toContain('10000 images (25.0 MB) in a burst (32 at once)');
    expect(plan.text).toContain('s3://scones-dev-123-eu-west-1/incoming/load-run/');
    expect(plan.text).toContain('not included: the SageMaker endpoint');
    expect(plan.text).toContain('aws s3 rm --recursive s3://scones-dev-123-eu-west-1/incoming/load-run/');
    expect(plan.text).toContain('eu-west-1 differs');
  });
});
