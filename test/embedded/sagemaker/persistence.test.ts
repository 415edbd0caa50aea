/**
 * State kept under the data dir: after a restart the jobs, models, configs, endpoints (served
 * again, InService), packages and tags are there; a training that was running when the process
 * died ends Failed with a reason, never InProgress forever; a state file that is not JSON stops
 * the start instead of being overwritten.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSageMakerService } from '../../../src/embedded/sagemaker/index.ts';
import { packModel } from '../../../training/artifact.ts';
import { useWasmBackend } from '../../../training/backend.ts';
import { createServingModel } from '../../../training/model.ts';
import { smallModelMetadata } from '../../training/model-fixtures.ts';
import {
  BUCKET,
  type Harness,
  IMAGE,
  put,
  ScriptedRunner,
  stageChannels,
  startHarness,
  trainingJobRequest,
  until,
} from './support.ts';

let harness: Harness;
let runner: ScriptedRunner;
const copies: string[] = [];
const call = (action: string, input: unknown) => harness.service.call(action, input);
const status = (name: string) =>
  call('DescribeTrainingJob', { TrainingJobName: name }) as Promise<{
    TrainingJobStatus: string;
    FailureReason?: string;
  }>;

beforeAll(async () => {
  runner = new ScriptedRunner();
  harness = await startHarness({ runner });
  await stageChannels(harness.s3);
  await useWasmBackend();
  await put(
    harness.s3,
    'models/job/output/model.tar.gz',
    await packModel(createServingModel({ filters: [4] }).model, smallModelMetadata()),
  );
  await call('CreateTrainingJob', trainingJobRequest('done-before'));
  await until(
    () => status('done-before'),
    (job) => job.TrainingJobStatus === 'Completed',
  );
  await call('CreateModel', {
    ModelName: 'kept',
    PrimaryContainer: { Image: IMAGE, ModelDataUrl: `s3://${BUCKET}/models/job/output/model.tar.gz` },
    Tags: [{ Key: 'stage', Value: 'dev' }],
  });
  await call('CreateEndpointConfig', {
    EndpointConfigName: 'kept-config',
    ProductionVariants: [
      { VariantName: 'AllTraffic', ModelName: 'kept', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
    ],
  });
  await call('CreateEndpoint', { EndpointName: 'kept-endpoint', EndpointConfigName: 'kept-config' });
  await until(
    () => call('DescribeEndpoint', { EndpointName: 'kept-endpoint' }) as Promise<{ EndpointStatus: string }>,
    (e) => e.EndpointStatus === 'InService',
  );
  await call('CreateModelPackageGroup', { ModelPackageGroupName: 'kept-group' });
});
afterAll(async () => {
  await harness?.close();
  for (const copy of copies) await rm(copy, { recursive: true, force: true });
});

describe('after a restart', () => {
  it('finds every resource again and serves the endpoint again, InService', async () => {
    harness.hosting.served.clear(); // a new process: nothing is loaded
    await harness.restart();
    expect(await status('done-before')).toMatchObject({ TrainingJobStatus: 'Completed' });
    expect(await call('DescribeEndpoint', { EndpointName: 'kept-endpoint' })).toMatchObject({
      EndpointStatus: 'InService',
    });
    expect(harness.hosting.served.get('kept-endpoint')?.endpointConfigName).toBe('kept-config');
    expect(
      await call('ListTags', { ResourceArn: 'arn:aws:sagemaker:us-east-1:000000000000:model/kept' }),
    ).toEqual({
      Tags: [{ Key: 'stage', Value: 'dev' }],
    });
    expect(await call('DescribeModelPackageGroup', { ModelPackageGroupName: 'kept-group' })).toMatchObject({
      ModelPackageGroupName: 'kept-group',
    });
  });

  it('ends a training the process died during as Failed, saying why', async () => {
    runner.hold();
    await call('CreateTrainingJob', trainingJobRequest('cut-short'));
    await until(
      () => status('cut-short'),
      (job) => job.TrainingJobStatus === 'InProgress',
    );
    await harness.service.flush();
    // A copy of the data dir taken now is what a crash (no close) leaves behind.
    const crashed = await mkdtemp(join(tmpdir(), 'sagemaker-crash-'));
    copies.push(crashed);
    await cp(harness.dataDir, crashed, { recursive: true });
    const saved = JSON.parse(await readFile(join(crashed, 'training-jobs.json'), 'utf8')) as {
      TrainingJobName: string;
      TrainingJobStatus: string;
    }[];
    expect(saved.find((job) => job.TrainingJobName === 'cut-short')?.TrainingJobStatus).toBe('InProgress');
    const reopened = await createSageMakerService({
      dataDir: crashed,
      s3: harness.s3,
      runner,
      hosting: harness.hosting,
    });
    const job = (await reopened.call('DescribeTrainingJob', { TrainingJobName: 'cut-short' })) as {
      TrainingJobStatus: string;
      SecondaryStatus: string;
      FailureReason: string;
    };
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.SecondaryStatus).toBe('Failed');
    expect(job.FailureReason).toContain('stopped while the job was running');
    await reopened.close();
    runner.release();
  });

  it('ends a training running at close as Failed too', async () => {
    runner.hold();
    await call('CreateTrainingJob', trainingJobRequest('at-close'));
    await until(
      () => status('at-close'),
      (job) => job.TrainingJobStatus === 'InProgress',
    );
    await harness.restart();
    expect(await status('at-close')).toMatchObject({ TrainingJobStatus: 'Failed' });
    runner.release();
  });

  it('refuses to start on a state file that is not JSON, and leaves it as it was', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'sagemaker-broken-'));
    copies.push(broken);
    await writeFile(join(broken, 'models.json'), '[{"ModelName": "half');
    await expect(
      createSageMakerService({ dataDir: broken, s3: harness.s3, runner, hosting: harness.hosting }),
    ).rejects.toThrow(/models\.json is not JSON/);
    expect(await readFile(join(broken, 'models.json'), 'utf8')).toBe('[{"ModelName": "half');
  });
});
