/**
 * `scones models` / `rollout` / `rollback` over a running embedded stack (its SageMaker and
 * CloudWatch through the AWS SDK): the endpoint starts on the kit's original model, two Approved
 * versions and a Rejected one are registered. Rollouts promote through a blue/green canary and
 * copy the serving config's data capture; rollback walks back what served before, to the original
 * model; refusals name the problem (unknown version, Rejected version, a rollout in progress); the
 * stage's rollout alarm going to ALARM while the canary bakes rolls the update back.
 */
import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointConfigCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeRegistry,
  NothingToRollBackTo,
  RolloutInProgress,
  rollback,
  rollout,
  UnknownModelVersion,
  VersionNotApproved,
} from '../../src/registry/index.ts';
import { retrainingNames } from '../../src/workflow/names.ts';
import { type RegistryStack, startRegistryStack } from './registry-support.ts';

let stack: RegistryStack;
let v1: { arn: string; modelData: string };
let v2: { arn: string; modelData: string };
const FAST = { bakeSeconds: 0, pollMs: 100, timeoutMs: 60_000 };

beforeAll(async () => {
  stack = await startRegistryStack();
  v1 = await stack.register('Approved', 'passed the gate: v1', 4);
  v2 = await stack.register('Approved', 'passed the gate: v2', 5);
  await stack.register('Rejected', 'worse on the clean part: accuracy drop 0.3 exceeds the margin 0.01', 6);
}, 120_000);
afterAll(async () => stack?.close());

const listing = () => describeRegistry(stack.apis, stack.scope);

describe('scones models', () => {
  it('lists every version with status, reason, metrics from its report, and the original model serving', async () => {
    const registry = await listing();
    expect(registry.group).toBe(stack.group);
    expect(registry.versions.map((v) => [v.version, v.status])).toEqual([
      [1, 'Approved'],
      [2, 'Approved'],
      [3, 'Rejected'],
    ]);
    expect(registry.versions[2]?.reason).toMatch(/worse on the clean part/);
    expect(registry.versions[0]?.metrics?.accuracy).toEqual({ all: 0.6, clean: 0.9, reviewed: 0.2 });
    expect(registry.versions[1]?.training_job).toBe('job-2');
    expect(Date.parse(registry.versions[0]?.created ?? '')).toBeGreaterThan(Date.now() - 600_000);
    expect(registry.serving).toMatchObject({ status: 'InService', original: true, version: null });
    expect(registry.serving.model_data).toMatch(/models\/original\/model\.tar\.gz$/);
    expect(registry.versions.every((v) => !v.serving)).toBe(true);
  });
});

describe('scones rollout / rollback', () => {
  it('refuses an unknown version and a Rejected one by name, creating nothing', async () => {
    await expect(rollout(stack.apis, stack.scope, { version: '9', ...FAST })).rejects.toThrow(
      UnknownModelVersion,
    );
    await expect(rollout(stack.apis, stack.scope, { version: '9', ...FAST })).rejects.toThrow(
      /versions: 1, 2, 3/,
    );
    const rejected = rollout(stack.apis, stack.scope, { version: '3', ...FAST });
    await expect(rejected).rejects.toThrow(VersionNotApproved);
    await expect(rollout(stack.apis, stack.scope, { version: '3', ...FAST })).rejects.toThrow(
      /version 3 is Rejected \(worse on the clean part.*--force/,
    );
    expect((await listing()).serving.original).toBe(true);
  });

  it('promotes v1 then v2 through a canary, keeping the data capture, and marks the one serving', async () => {
    const first = await rollout(stack.apis, stack.scope, { version: '1', canaryPercent: 20, ...FAST });
    expect(first).toMatchObject({
      outcome: 'promoted',
      canary_percent: 20,
      target: { version: 1, arn: v1.arn },
    });
    expect(first.before.original).toBe(true);
    expect(first.after).toMatchObject({ status: 'InService', version: 1, model_data: v1.modelData });
    const config = await stack.sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: first.endpoint_config as string }),
    );
    expect(config.DataCaptureConfig?.DestinationS3Uri).toBe('s3://scones-images/data_capture');
    expect(first.endpoint_config).toMatch(
      new RegExp(`^${retrainingNames(stack.scope.stage).rolloutNamePrefix}v1-`),
    );

    const second = await rollout(stack.apis, stack.scope, { version: v2.arn, ...FAST });
    expect(second).toMatchObject({ outcome: 'promoted', after: { version: 2 } });
    const registry = await listing();
    expect(registry.versions.filter((v) => v.serving).map((v) => v.version)).toEqual([2]);
    expect(registry.versions[1]?.previous).toBe(v1.arn);

    // Rolling out what already serves changes nothing.
    expect((await rollout(stack.apis, stack.scope, { version: '2', ...FAST })).outcome).toBe('unchanged');
  });

  it('rolls back to the previous version, then to the original model, then refuses', async () => {
    const back = await rollback(stack.apis, stack.scope, FAST);
    expect(back).toMatchObject({ outcome: 'promoted', target: { version: 1 }, after: { version: 1 } });
    const original = await rollback(stack.apis, stack.scope, FAST);
    expect(original).toMatchObject({
      outcome: 'promoted',
      target: { version: null },
      after: { original: true },
    });
    await expect(rollback(stack.apis, stack.scope, FAST)).rejects.toThrow(NothingToRollBackTo);
  });

  it('refuses a second rollout while one bakes, and the rollout alarm rolls the canary back', async () => {
    const alarm = retrainingNames(stack.scope.stage).rolloutAlarm;
    await stack.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarm,
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocation5XXErrors',
        Dimensions: [{ Name: 'EndpointName', Value: stack.scope.endpointName }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    const messages: string[] = [];
    const baking = rollout(stack.apis, stack.scope, {
      version: '2',
      bakeSeconds: 60,
      pollMs: 100,
      timeoutMs: 60_000,
      progress: (message) => messages.push(message),
    });
    await expect.poll(() => messages.some((m) => /Updating/.test(m)), { timeout: 20_000 }).toBe(true);
    const second = rollout(stack.apis, stack.scope, { version: '1', ...FAST });
    await expect(second).rejects.toThrow(RolloutInProgress);
    await expect(rollout(stack.apis, stack.scope, { version: '1', ...FAST })).rejects.toThrow(
      /^a rollout is in progress: the endpoint .* is Updating/,
    );
    await stack.cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: alarm,
        StateValue: 'ALARM',
        StateReason: 'test: 5xx on the canary',
      }),
    );
    const report = await baking;
    expect(report.outcome).toBe('rolled-back');
    expect(report.alarm).toBe(alarm);
    expect(report.failure_reason).toContain(alarm);
    expect(report.after).toMatchObject({ status: 'InService', original: true });
    expect(messages[0]).toMatch(new RegExp(`rollback on ${alarm}`));
  }, 60_000);
});
