/**
 * One real training job of the local SageMaker: the shipped CIFAR subset staged into a local S3 by
 * the kit's staging (the algorithm's image format), a 300-image train .lst and the 100 validation
 * images, two epochs on the kit's trainer in a worker thread. It completes with both metrics, logs
 * as the algorithm does, and writes a model.tar.gz the kit's predictor loads and answers with.
 * A second job is stopped mid-training: the worker thread goes, the job ends Stopped.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTrainingRunner } from '../../../src/embedded/sagemaker/index.ts';
import { ModelPredictor } from '../../../training/predictor.ts';
import { stageDataset } from '../../../training/stage.ts';
import { BUCKET, type Harness, put, startHarness, trainingJobRequest, until } from './support.ts';

const PREFIX = 'datasets/cifar-100';
let harness: Harness;
const logs: string[] = [];
const call = (action: string, input: unknown) => harness.service.call(action, input);

type Job = {
  TrainingJobStatus: string;
  SecondaryStatus: string;
  FailureReason?: string;
  FinalMetricDataList: { MetricName: string; Value: number }[];
  ModelArtifacts?: { S3ModelArtifacts: string };
  SecondaryStatusTransitions: { Status: string }[];
};
const describeJob = (name: string) => call('DescribeTrainingJob', { TrainingJobName: name }) as Promise<Job>;

/** The notebook's request, on the staged channels with a shorter train .lst. */
function request(name: string, epochs: number) {
  const job = trainingJobRequest(name, {
    num_training_samples: '300',
    epochs: String(epochs),
    mini_batch_size: '32',
    optimizer: 'adam',
    learning_rate: '0.004',
    augmentation_type: 'crop',
  });
  const uris: Record<string, string> = {
    train: `s3://${BUCKET}/${PREFIX}/train/`,
    validation: `s3://${BUCKET}/${PREFIX}/validation/`,
    train_lst: `s3://${BUCKET}/subset/train_lst/`,
    validation_lst: `s3://${BUCKET}/${PREFIX}/validation_lst/`,
  };
  for (const channel of job.InputDataConfig)
    channel.DataSource.S3DataSource.S3Uri = uris[channel.ChannelName] as string;
  return job;
}

beforeAll(async () => {
  harness = await startHarness({ onTrainingLog: (event) => logs.push(event.message) });
  // The harness's own runner is scripted; this file trains for real, with one small network
  // (test time: the two-member ensemble of the full-size network is for benchmarks).
  await harness.restart({
    runner: createLocalTrainingRunner({ s3: harness.s3, members: 1, model: { filters: [16, 32, 64] } }),
  });
  await stageDataset({ s3Client: harness.s3, bucket: BUCKET, prefix: PREFIX, progress: false });
  const staged = await harness.s3.send(
    new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/train_lst/train.lst` }),
  );
  const lines = ((await staged.Body?.transformToString()) ?? '').trim().split('\n');
  // 150 of each class: the staged manifest lists them class by class.
  const subset = [
    ...lines.filter((l) => l.split('\t')[1] === '0').slice(0, 150),
    ...lines.filter((l) => l.split('\t')[1] === '1').slice(0, 150),
  ];
  await put(harness.s3, 'subset/train_lst/train.lst', `${subset.join('\n')}\n`);
}, 120_000);
afterAll(() => harness?.close());

describe('a real training job', { timeout: 180_000 }, () => {
  it('trains on the staged images, completes with metrics and a model the kit loads', async () => {
    await call('CreateTrainingJob', request('real-job', 2));
    const job = await until(
      () => describeJob('real-job'),
      (j) => !['InProgress', 'Stopping'].includes(j.TrainingJobStatus),
      170_000,
    );
    expect(job.FailureReason).toBeUndefined();
    expect(job.TrainingJobStatus).toBe('Completed');
    expect(job.SecondaryStatusTransitions.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed',
    ]);
    const metrics = Object.fromEntries(job.FinalMetricDataList.map((m) => [m.MetricName, m.Value]));
    expect(Object.keys(metrics).sort()).toEqual(['train:accuracy', 'validation:accuracy']);
    for (const value of Object.values(metrics)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    expect(logs.filter((line) => /Epoch\[\d\] Validation-accuracy=0\.\d{6}$/.test(line))).toHaveLength(2);
    expect(
      logs.some((line) =>
        line.includes('Read 300 training and 100 validation images; classes bicycle, motorcycle'),
      ),
    ).toBe(true);

    const uri = job.ModelArtifacts?.S3ModelArtifacts as string;
    expect(uri).toBe(`s3://${BUCKET}/models/real-job/output/model.tar.gz`);
    const predictor = await ModelPredictor.load(uri, { s3Client: harness.s3 });
    try {
      const pixel = await sharp({
        create: { width: 32, height: 32, channels: 3, background: { r: 40, g: 90, b: 160 } },
      })
        .png()
        .toBuffer();
      const probabilities = await predictor.predict(pixel, 'image/png');
      expect(probabilities).toHaveLength(2);
      expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 4);
    } finally {
      predictor.dispose();
    }
  });

  it('stops a training in flight: the worker goes, the job ends Stopped', async () => {
    await call('CreateTrainingJob', request('real-stop', 50));
    await until(
      () => describeJob('real-stop'),
      (j) => j.SecondaryStatus === 'Training',
      60_000,
    );
    const asked = Date.now();
    await call('StopTrainingJob', { TrainingJobName: 'real-stop' });
    const job = await until(
      () => describeJob('real-stop'),
      (j) => j.TrainingJobStatus !== 'Stopping',
      30_000,
    );
    expect(job.TrainingJobStatus).toBe('Stopped');
    expect(Date.now() - asked).toBeLessThan(10_000);
  });
});
