/** Unit tests of the promotion's pure parts: options, names, SageMaker requests, cost estimate. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { action } from '../../src/promote/actions.ts';
import { algorithmImageUri, UnsupportedRegionError } from '../../src/promote/algorithm-image.ts';
import { estimateCost } from '../../src/promote/cost/cost.ts';
import { HOSTING_PER_HOUR, TRAINING_PER_HOUR } from '../../src/promote/cost/prices.ts';
import { PromoteOptionsError, resolvePromoteOptions } from '../../src/promote/options.ts';
import {
  endpointConfigRequest,
  promotionNames,
  trainingJobRequest,
  tuningJobRequest,
} from '../../src/promote/specs.ts';
import { type PromotionTarget, resolveTarget, TargetError } from '../../src/promote/target.ts';
import { sagemakerExecutionPolicy, UNSCOPABLE_ACTIONS } from '../../src/promote/workflow/sagemaker-role.ts';

function targetFor(stage = 'dev', region = 'us-east-1'): PromotionTarget {
  return {
    kind: 'aws',
    stage,
    region,
    accountId: '111122223333',
    partition: 'aws',
    callerArn: 'arn:aws:iam::111122223333:user/test',
    bucket: `scones-${stage}-111122223333-${region}`,
    endpointName: `scones-${stage}-image-classification`,
    config: loadConfig({}),
  };
}

describe('algorithm image', () => {
  it('comes from the per-region registry table', () => {
    expect(algorithmImageUri('us-east-1')).toBe(
      '811284229777.dkr.ecr.us-east-1.amazonaws.com/image-classification:1',
    );
    expect(algorithmImageUri('eu-west-1')).toBe(
      '685385470294.dkr.ecr.eu-west-1.amazonaws.com/image-classification:1',
    );
    expect(algorithmImageUri('cn-north-1')).toMatch(/\.amazonaws\.com\.cn\/image-classification:1$/);
  });

  it('names the region it does not know', () => {
    expect(() => algorithmImageUri('xx-nowhere-1')).toThrow(UnsupportedRegionError);
    expect(() => algorithmImageUri('xx-nowhere-1')).toThrow(/xx-nowhere-1/);
  });
});

describe('options', () => {
  it('defaults to a GPU training instance and a real-time endpoint with full data capture', () => {
    const options = resolvePromoteOptions({});
    expect(options.trainingInstanceType).toBe('ml.g4dn.xlarge');
    expect(options.serverless).toBe(false);
    expect(options.captureSamplingPercentage).toBe(100);
    expect(options.capturePrefix).toBe('data_capture/');
  });

  it('rejects bad values with a message that names them', () => {
    expect(() => resolvePromoteOptions({ epochs: 0 })).toThrow(/epochs/);
    expect(() => resolvePromoteOptions({ augmentationType: 'rotate' as never })).toThrow(/augmentationType/);
    expect(() => resolvePromoteOptions({ captureSamplingPercentage: 101 })).toThrow(PromoteOptionsError);
    expect(() => resolvePromoteOptions({ serverlessMemoryMb: 1500 as never })).toThrow(/serverlessMemoryMb/);
    expect(() => resolvePromoteOptions({ trainingInstanceType: 'p3.2xlarge' })).toThrow(/ml\./);
  });
});

describe('names', () => {
  it('fit SageMaker limits for the longest stage', () => {
    const names = promotionNames(resolvePromoteOptions({ tune: true }), targetFor('abcdefghijkl'));
    expect(`${names.tuningJobBase}-99`.length).toBeLessThanOrEqual(32);
    for (const name of [names.trainingJobBase, names.model, names.endpointConfig, names.endpoint]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/);
    }
  });

  it('follow the settings: new hyperparameters train anew, a new variant only changes the endpoint config', () => {
    const target = targetFor();
    const base = promotionNames(resolvePromoteOptions({}), target);
    const moreEpochs = promotionNames(resolvePromoteOptions({ epochs: 31 }), target);
    const serverless = promotionNames(resolvePromoteOptions({ serverless: true }), target);
    expect(moreEpochs.trainingJobBase).not.toBe(base.trainingJobBase);
    expect(moreEpochs.model).not.toBe(base.model);
    expect(serverless.trainingJobBase).toBe(base.trainingJobBase);
    expect(serverless.model).toBe(base.model);
    expect(serverless.endpointConfig).not.toBe(base.endpointConfig);
    expect(promotionNames(resolvePromoteOptions({}), target)).toEqual(base);
  });
});

describe('SageMaker requests', () => {
  const target = targetFor();
  const options = resolvePromoteOptions({
    epochs: 12,
    learningRate: 0.005,
    miniBatchSize: 64,
    augmentationType: 'crop_color',
  });
  const input = { options, target, roleArn: 'arn:aws:iam::111122223333:role/r', numTrainingSamples: 900 };

  it('trains the built-in algorithm on 32x32 two-class images from four x-image channels', () => {
    const request = trainingJobRequest(input, 'job-1');
    expect(request.AlgorithmSpecification?.TrainingImage).toBe(algorithmImageUri('us-east-1'));
    expect(request.HyperParameters).toEqual({
      image_shape: '3,32,32',
      num_classes: '2',
      num_training_samples: '900',
      epochs: '12',
      learning_rate: '0.005',
      mini_batch_size: '64',
      use_pretrained_model: '0',
      augmentation_type: 'crop_color',
    });
    expect(
      request.InputDataConfig?.map((c) => [
        c.ChannelName,
        c.ContentType,
        c.DataSource?.S3DataSource?.S3DataType,
      ]),
    ).toEqual([
      ['train', 'application/x-image', 'S3Prefix'],
      ['validation', 'application/x-image', 'S3Prefix'],
      ['train_lst', 'application/x-image', 'S3Prefix'],
      ['validation_lst', 'application/x-image', 'S3Prefix'],
    ]);
    expect(request.InputDataConfig?.[2]?.DataSource?.S3DataSource?.S3Uri).toBe(
      `s3://${target.bucket}/datasets/cifar-100/train_lst/`,
    );
    expect(request.ResourceConfig?.InstanceType).toBe('ml.g4dn.xlarge');
    expect(request.StoppingCondition?.MaxRuntimeInSeconds).toBe(3600);
  });

  it('tunes learning_rate, mini_batch_size and optimizer for validation:accuracy, the rest static', () => {
    const request = tuningJobRequest(
      { ...input, options: resolvePromoteOptions({ tune: true, maxTuningJobs: 4 }) },
      'hpo-1',
    );
    const config = request.HyperParameterTuningJobConfig;
    expect(config?.HyperParameterTuningJobObjective).toEqual({
      Type: 'Maximize',
      MetricName: 'validation:accuracy',
    });
    expect(config?.ResourceLimits).toEqual({ MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 });
    const tuned = [
      ...(config?.ParameterRanges?.ContinuousParameterRanges ?? []),
      ...(config?.ParameterRanges?.IntegerParameterRanges ?? []),
      ...(config?.ParameterRanges?.CategoricalParameterRanges ?? []),
    ].map((range) => range.Name);
    expect(tuned).toEqual(['learning_rate', 'mini_batch_size', 'optimizer']);
    const statics = request.TrainingJobDefinition?.StaticHyperParameters ?? {};
    expect(Object.keys(statics)).not.toContain('learning_rate');
    expect(statics.num_training_samples).toBe('900');
  });

  it('captures input and output of a real-time endpoint; serverless replaces the instance and cannot capture', () => {
    const names = promotionNames(options, target);
    const realtime = endpointConfigRequest(options, names, target);
    expect(realtime.DataCaptureConfig).toMatchObject({
      EnableCapture: true,
      InitialSamplingPercentage: 100,
      DestinationS3Uri: `s3://${target.bucket}/data_capture`,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
    });
    expect(realtime.ProductionVariants?.[0]).toMatchObject({
      InstanceType: 'ml.m5.large',
      InitialInstanceCount: 1,
    });
    const serverlessOptions = resolvePromoteOptions({
      serverless: true,
      serverlessMemoryMb: 3072,
      serverlessMaxConcurrency: 7,
    });
    const serverless = endpointConfigRequest(
      serverlessOptions,
      promotionNames(serverlessOptions, target),
      target,
    );
    expect(serverless.ProductionVariants?.[0]?.ServerlessConfig).toEqual({
      MemorySizeInMB: 3072,
      MaxConcurrency: 7,
    });
    expect(serverless.ProductionVariants?.[0]?.InstanceType).toBeUndefined();
    // SageMaker's serverless endpoints cannot capture data.
    expect(serverless.DataCaptureConfig).toBeUndefined();
  });

  it('scopes the SageMaker role to the bucket prefixes, the algorithm repository and its log groups', () => {
    const policy = sagemakerExecutionPolicy(options, target);
    for (const statement of policy.Statement) {
      const actions = [statement.Action].flat();
      const resources = [statement.Resource].flat();
      if (resources.includes('*'))
        expect(actions.every((a) => (UNSCOPABLE_ACTIONS as readonly string[]).includes(a))).toBe(true);
      else for (const resource of resources) expect(resource).toMatch(/^arn:aws:(s3|ecr|logs):/);
    }
  });
});

describe('cost estimate', () => {
  const created = [action('training', 'sagemaker training job', 'job', 'create')];

  it('charges expected training hours at the table price, with the stopping condition as ceiling', () => {
    const options = resolvePromoteOptions({ expectedTrainingMinutes: 30, maxTrainingMinutes: 90 });
    const cost = estimateCost(options, 'us-east-1', created);
    const hourly = TRAINING_PER_HOUR['ml.g4dn.xlarge'] as number;
    expect(cost.lines[0]?.usd).toBeCloseTo(0.5 * hourly, 4);
    expect(cost.oneOffMaxUsd).toBeGreaterThan(cost.oneOffUsd);
    expect(cost.oneOffMaxUsd - cost.oneOffUsd).toBeCloseTo(1 * hourly, 3);
    expect(cost.endpointPerHourUsd).toBeCloseTo(HOSTING_PER_HOUR['ml.m5.large'] as number, 6);
    expect(cost.notes).toEqual([]);
  });

  it('multiplies by the tuning jobs, charges nothing for a reused job, nothing per hour when serverless', () => {
    const tuned = estimateCost(resolvePromoteOptions({ tune: true, maxTuningJobs: 6 }), 'us-east-1', created);
    const single = estimateCost(resolvePromoteOptions({}), 'us-east-1', created);
    expect(tuned.lines[0]?.usd).toBeCloseTo(6 * (single.lines[0]?.usd ?? 0), 4);
    const reused = estimateCost(resolvePromoteOptions({}), 'us-east-1', [
      action('training', 'sagemaker training job', 'job', 'none'),
    ]);
    expect(reused.lines[0]?.usd).toBe(0);
    const serverless = estimateCost(resolvePromoteOptions({ serverless: true }), 'us-east-1', created);
    expect(serverless.endpointPerHourUsd).toBe(0);
    expect(serverless.monthlyUsd).toBeLessThan(single.monthlyUsd);
  });

  it('says when the region or the instance type is not in the price table', () => {
    const cost = estimateCost(
      resolvePromoteOptions({ endpointInstanceType: 'ml.r5.24xlarge' }),
      'eu-west-1',
      created,
    );
    expect(cost.notes.join('\n')).toMatch(/ml\.r5\.24xlarge/);
    expect(cost.notes.join('\n')).toMatch(/eu-west-1/);
  });
});

describe('target', () => {
  it('refuses to guess a region: none from option, environment or profile is an error that says how to give one', async () => {
    const saved = { ...process.env };
    const dir = await mkdtemp(join(tmpdir(), 'scones-aws-config-'));
    try {
      await writeFile(join(dir, 'config'), '');
      for (const key of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[key];
      process.env.AWS_CONFIG_FILE = join(dir, 'config');
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'config');
      await expect(resolveTarget({ stage: 'dev' })).rejects.toThrow(TargetError);
      await expect(resolveTarget({ stage: 'dev' })).rejects.toThrow(/--region.*AWS_REGION.*--profile/);
    } finally {
      process.env = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a stage that would break resource names', async () => {
    await expect(resolveTarget({ stage: 'Prod_1', region: 'us-east-1' })).rejects.toThrow(/Stage "Prod_1"/);
    await expect(resolveTarget({ stage: 'much-too-long-stage', region: 'us-east-1' })).rejects.toThrow(
      PromoteOptionsError,
    );
  });
});
