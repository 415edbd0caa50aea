/**
 * `scones promote --target local` end to end against a running `scones up` (no moto), configured
 * only by the export lines it prints: the plan (the stack's workflow verified, IAM, alarms and the
 * rest reported as provided or skipped), staging, a real training job to Completed, the model, the
 * endpoint config with data capture, the endpoint the stack's workflow invokes InService, the
 * smoke execution of the stack's classification state machine answered by the trained model (not
 * the stub), the captured record in S3; then `--tune` (two trainings at once) swapping the
 * endpoint to the best job's model; then teardown, checked through the SageMaker API. And the CLI
 * refusing `--target local` when no stack answers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashProbabilities } from '../../src/embedded/sagemaker-runtime/index.ts';
import {
  type PromoteOptions,
  type PromotionResult,
  planPromotion,
  promote,
  renderPlan,
  renderTeardown,
  teardown,
} from '../../src/promote/index.ts';
import { resourceNames, retrainingNames } from '../../src/workflow/names.ts';
import { spawnUp, type UpProcess } from '../up/support.ts';
import {
  capturedRecord,
  closedPort,
  expectSameProbabilities,
  modelAnswer,
  objectBytes,
  runCli,
  withoutEndpoints,
} from './support/local-promotion.ts';

const ENDPOINT = 'scones-image-classification'; // the stack's: what its classify Lambda invokes
const BUCKET = 'scones-dev-000000000000-us-east-1';
const CAPTURE = `data_capture/${ENDPOINT}/AllTraffic/`;
/**
 * Promote's first move on the endpoint: `create` while `scones up --stub` serves its stub beside
 * the SageMaker API (an API endpoint of the same name takes the name over), `update` once the
 * stack's stub is itself an endpoint of the API (issue 18, part 5). Either way the smoke run below
 * must be answered by the trained model.
 */
const FIRST_ENDPOINT_MOVES = ['create', 'update'];

let dir: string;
let up: UpProcess;
let env: Record<string, string>;
let s3: S3Client;
let sagemaker: SageMakerClient;

/** Small settings: one epoch on the shipped subset (900 training images). */
function options(extra: Partial<PromoteOptions> = {}): PromoteOptions {
  return { target: 'local', env, epochs: 1, pollIntervalMs: 100, smokeTimeoutMs: 60_000, ...extra };
}

function clientOptions(service: string) {
  return {
    endpoint: env[`AWS_ENDPOINT_URL_${service}`],
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
    },
  };
}

/** The smoke execution's image, as it is in the bucket. */
async function smokeImage(result: PromotionResult): Promise<Buffer> {
  const { s3_bucket: bucket, s3_key: key } = (result.smoke?.result ?? {}) as {
    s3_bucket: string;
    s3_key: string;
  };
  return objectBytes(s3, bucket, key);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scones-promote-local-'));
  // --stub: the stack's own endpoint answers the stub under ENDPOINT until promote's takes the name.
  up = spawnUp(['--stub', '--port', '0', '--data-dir', path.join(dir, 'data')], dir);
  await up.lineWith('export AWS_DEFAULT_REGION=');
  env = up.exports();
  s3 = new S3Client({ ...clientOptions('S3'), forcePathStyle: true });
  sagemaker = new SageMakerClient(clientOptions('SAGEMAKER'));
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  sagemaker?.destroy();
  if (up && up.child.exitCode === null) {
    up.child.kill('SIGINT');
    await up.exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('promote --target local against scones up', { timeout: 120_000 }, () => {
  let trained: PromotionResult;
  let tuned: PromotionResult;

  it('plans the AWS steps, the workflow verified on the stack and the rest reported with reasons', async () => {
    const plan = await planPromotion(options());
    const names = resourceNames('dev');
    expect(plan.target).toMatchObject({ kind: 'local', accountId: '000000000000', bucket: BUCKET });
    expect(plan.target.stackUrl).toBe(env.AWS_ENDPOINT_URL_SAGEMAKER);
    const change = (type: string, name: string) =>
      plan.actions.find((item) => item.resourceType === type && item.name === name)?.change;
    expect(plan.actions.slice(0, 6).map((item) => `${item.change} ${item.resourceType}`)).toEqual([
      'create s3 bucket',
      'run s3 objects',
      'skip iam role',
      'create sagemaker training job',
      'create sagemaker model',
      'create sagemaker endpoint config',
    ]);
    expect(plan.actions[6]).toMatchObject({ resourceType: 'sagemaker endpoint', name: ENDPOINT });
    expect(FIRST_ENDPOINT_MOVES).toContain(plan.actions[6]?.change);
    expect(plan.names.endpoint).toBe(ENDPOINT);
    // The workflow is the stack's: its state machines described through its Step Functions API.
    const machine = plan.actions.find((item) => item.name === names.stateMachine);
    expect(machine).toMatchObject({ change: 'none', resourceType: 'step functions state machine' });
    expect(machine?.arn).toMatch(
      /^arn:aws:states:us-east-1:\d{12}:stateMachine:scones-dev-image-classification$/,
    );
    expect(change('lambda function', names.functions.classify)).toBe('none');
    // The retraining: its state machine described, its functions provided in-process, and the
    // rollout alarm found in the stack's own CloudWatch (DescribeAlarms).
    const retraining = retrainingNames('dev');
    expect(change('step functions state machine', retraining.stateMachine)).toBe('none');
    expect(change('lambda function', retraining.functions.evaluate)).toBe('none');
    expect(plan.actions.find((a) => a.name === retraining.rolloutAlarm)).toMatchObject({
      change: 'none',
      resourceType: 'cloudwatch alarm',
      detail: expect.stringMatching(/^provided by scones up: its CloudWatch evaluates it/),
    });
    // What the stack has no API for is in the plan, skipped with its reason, never left out.
    for (const item of plan.actions.filter(
      (a) => ['iam role', 'cloudwatch alarm'].includes(a.resourceType) && a.name !== retraining.rolloutAlarm,
    )) {
      expect(item.change, item.name).toBe('skip');
      expect(item.detail, item.name).toMatch(/scones up has no/);
    }
    expect(plan.actions.filter((a) => a.resourceType === 'cloudwatch alarm')).toHaveLength(4);
    expect(plan.actions.at(-1)).toMatchObject({ change: 'run', resourceType: 'step functions execution' });
    expect(plan.cost.oneOffUsd).toBe(0);
    const text = renderPlan(plan);
    expect(text).toContain(`local stack ${env.AWS_ENDPOINT_URL_SAGEMAKER} (scones up)`);
    expect(text).toContain('Cost: nothing is billed');
    // Planning changed nothing.
    await expect(s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toThrow();
  });

  it('stages, trains, hosts with capture and runs the smoke execution through the trained model', async () => {
    const started = Date.now();
    trained = await promote(options(), { yes: true, onProgress: () => undefined });
    console.log(
      `promote --target local (training, 1 epoch): ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const byType = new Map(trained.actions.map((item) => [item.resourceType, item]));
    expect(byType.get('sagemaker training job')?.change).toBe('create');
    expect(byType.get('sagemaker endpoint')?.name).toBe(ENDPOINT);
    expect(FIRST_ENDPOINT_MOVES).toContain(byType.get('sagemaker endpoint')?.change);
    expect(trained.links).toEqual([]); // no AWS console for a local stack

    const jobName = byType.get('sagemaker training job')?.name as string;
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
    expect(job.TrainingJobStatus).toBe('Completed');
    expect(job.HyperParameters).toMatchObject({ epochs: '1', num_training_samples: '900', num_classes: '2' });
    expect(job.FinalMetricDataList?.map((metric) => metric.MetricName)).toContain('validation:accuracy');
    const model = await sagemaker.send(new DescribeModelCommand({ ModelName: trained.plan.names.model }));
    const modelDataUrl = job.ModelArtifacts?.S3ModelArtifacts as string;
    expect(model.PrimaryContainer?.ModelDataUrl).toBe(modelDataUrl);

    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
    expect(endpoint).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: trained.plan.names.endpointConfig,
    });
    const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: endpoint.EndpointArn }));
    expect(tags.Tags).toEqual(expect.arrayContaining([{ Key: 'scones:stage', Value: 'dev' }]));
    const config = await sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: trained.plan.names.endpointConfig }),
    );
    expect(config.DataCaptureConfig).toMatchObject({
      EnableCapture: true,
      InitialSamplingPercentage: 100,
      DestinationS3Uri: `s3://${BUCKET}/data_capture`,
    });

    // The smoke execution ran on the stack's classification state machine ...
    expect(trained.smoke?.status).toBe('SUCCEEDED');
    expect(trained.stateMachineArn).toMatch(/:stateMachine:scones-dev-image-classification$/);
    const result = trained.smoke?.result as { inferences: number[]; inference_id: string; s3_key: string };
    expect(result.s3_key).toMatch(/^datasets\/cifar-100\/test\/.+\.png$/);
    // ... and its classification is the trained model's answer for the image, not the stub's.
    expectSameProbabilities(
      result.inferences,
      await modelAnswer(s3, modelDataUrl, await smokeImage(trained)),
    );
    const image = await objectBytes(s3, BUCKET, result.s3_key);
    expect(result.inferences[0]).not.toBeCloseTo(hashProbabilities(image, 2)[0] as number, 5);

    // The endpoint captured the invocation (input and output) under the config's destination.
    await expect
      .poll(
        async () =>
          (await capturedRecord(s3, { bucket: BUCKET, prefix: CAPTURE }, result.inference_id))?.captureData
            .endpointOutput.data,
        {
          timeout: 10_000,
          interval: 250,
        },
      )
      .toBeDefined();
    const record = await capturedRecord(s3, { bucket: BUCKET, prefix: CAPTURE }, result.inference_id);
    expect(record?.captureData.endpointInput.encoding).toBe('BASE64');
    expectSameProbabilities(JSON.parse(record?.captureData.endpointOutput.data ?? '[]'), result.inferences);
  });

  it('with --tune: a tuning job to Completed, its best model swapped in, the smoke run through it', async () => {
    const started = Date.now();
    tuned = await promote(options({ tune: true, maxTuningJobs: 2, maxParallelTuningJobs: 2 }), {
      yes: true,
      onProgress: () => undefined,
    });
    console.log(
      `promote --target local --tune (2 x 1 epoch): ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const tuning = tuned.actions.find((item) => item.resourceType === 'sagemaker tuning job');
    expect(tuning?.change).toBe('create');
    const job = await sagemaker.send(
      new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: tuning?.name }),
    );
    expect(job.HyperParameterTuningJobStatus).toBe('Completed');
    expect(job.HyperParameterTuningJobConfig?.ResourceLimits).toMatchObject({
      MaxNumberOfTrainingJobs: 2,
      MaxParallelTrainingJobs: 2,
    });
    expect(job.TrainingJobStatusCounters?.Completed).toBe(2);
    const best = await sagemaker.send(
      new DescribeTrainingJobCommand({ TrainingJobName: job.BestTrainingJob?.TrainingJobName }),
    );
    expect(tuned.actions.find((item) => item.resourceType === 'sagemaker endpoint')?.change).toBe('update');
    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
    expect(endpoint).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: tuned.plan.names.endpointConfig,
    });
    expect(tuned.plan.names.endpointConfig).not.toBe(trained.plan.names.endpointConfig);
    expect(tuned.smoke?.status).toBe('SUCCEEDED');
    const result = tuned.smoke?.result as { inferences: number[] };
    expectSameProbabilities(
      result.inferences,
      await modelAnswer(s3, best.ModelArtifacts?.S3ModelArtifacts as string, await smokeImage(tuned)),
    );
  });

  it('tears down what promote made through the SageMaker API, keeps job records and the stack', async () => {
    const report = await teardown({ target: 'local', env });
    const deleted = report.deleted.map((item) => `${item.type} ${item.name}`);
    expect(deleted).toEqual(
      expect.arrayContaining([`sagemaker endpoint ${ENDPOINT}`, `s3 bucket ${BUCKET}`]),
    );
    expect(deleted.filter((item) => item.startsWith('sagemaker endpoint config '))).toHaveLength(2);
    expect(deleted.filter((item) => item.startsWith('sagemaker model '))).toHaveLength(2);
    expect(deleted[0]).toBe(`sagemaker endpoint ${ENDPOINT}`); // it bills by the hour on AWS: first
    const kept = report.kept.map((item) => item.type);
    expect(kept).toEqual(expect.arrayContaining(['sagemaker training job', 'sagemaker tuning job']));
    expect(report.kept.find((item) => item.name === 'scones-dev-image-classification')?.reason).toMatch(
      /provided by scones up/,
    );
    expect(renderTeardown(report)).toContain(`deleted      sagemaker endpoint`);

    await expect(sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }))).rejects.toThrow(
      /Could not find endpoint/,
    );
    for (const result of [trained, tuned]) {
      await expect(
        sagemaker.send(
          new DescribeEndpointConfigCommand({ EndpointConfigName: result.plan.names.endpointConfig }),
        ),
      ).rejects.toThrow(/Could not find/);
      await expect(
        sagemaker.send(new DescribeModelCommand({ ModelName: result.plan.names.model })),
      ).rejects.toThrow(/Could not find/);
    }
    await expect(s3.send(new HeadBucketCommand({ Bucket: BUCKET }))).rejects.toThrow();
    const again = await teardown({ target: 'local', env });
    expect(again.deleted).toEqual([]);
  });
});

describe('scones promote --target local (CLI)', { timeout: 60_000 }, () => {
  it('plans against the running stack from its exports', async () => {
    const { code, stdout, stderr } = await runCli(['promote', '--target', 'local', '--plan'], {
      ...withoutEndpoints(),
      ...env,
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`local stack ${env.AWS_ENDPOINT_URL_SAGEMAKER} (scones up)`);
    expect(stdout).toMatch(/skip\s+iam role\s+scones-dev-sagemaker-role/);
    expect(stdout).toContain('Cost: nothing is billed');
  });

  it('refuses with a clear message, non-zero, when no stack is configured or none answers', async () => {
    const unset = await runCli(['promote', '--target', 'local', '--yes'], withoutEndpoints());
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('LocalStackError: --target local needs a running `scones up`');
    expect(unset.stderr).toContain('AWS_ENDPOINT_URL_S3 is not set');

    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const dead = await runCli(
      ['promote', '--target', 'local', '--yes', '--endpoint-url', url],
      withoutEndpoints(),
    );
    expect(dead.code).toBe(1);
    expect(dead.stderr).toContain(`LocalStackError: No local stack answers at ${url}`);
    expect(dead.stdout).toBe('');
  });
});
