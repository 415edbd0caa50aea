/**
 * The retraining state machine training for real (the local SageMaker's trainer, one epoch of a
 * small network on the shipped CIFAR subset) and scoring with the kit's predictor: the first
 * candidate is promoted (nothing served yet); a candidate trained on shuffled labels is stopped by
 * the gate (worse on the clean test split), registered Rejected with the reason, and the endpoint
 * keeps the first one.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTrainingRunner } from '../../src/embedded/sagemaker/index.ts';
import { createRetrainingEngine, StateMachineRegistry } from '../../src/embedded/stepfunctions/index.ts';
import { ModelPredictor } from '../../training/predictor.ts';
import { stageDataset } from '../../training/stage.ts';
import { BUCKET, type Harness, IMAGE, put, ROLE, startHarness } from './sagemaker/support.ts';

const ENDPOINT = 'scones-real-endpoint';
let harness: Harness;
const stateMachines = new StateMachineRegistry();

/** A seeded shuffle of the labels of a .lst (same images, same label counts, labels scrambled). */
function shuffleLabels(lst: string, seed = 7): string {
  const lines = lst
    .trim()
    .split('\n')
    .map((line) => line.split('\t'));
  const labels = lines.map((line) => line[1] as string);
  let state = seed;
  for (let i = labels.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [labels[i], labels[j]] = [labels[j] as string, labels[i] as string];
  }
  return lines.map((line, i) => `${line[0]}\t${labels[i]}\t${line[2]}\n`).join('');
}

function engine(name: string, datasetPrefix: string) {
  return createRetrainingEngine(
    { stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`, stateMachines },
    {
      stage: 'real',
      bucket: BUCKET,
      endpointName: ENDPOINT,
      s3: harness.s3,
      sagemaker: harness.service,
      trainingImage: IMAGE,
      sagemakerRoleArn: ROLE,
      datasetPrefix,
      loadModel: (uri) => ModelPredictor.load(uri, { s3Client: harness.s3 }),
      sagemakerPollMs: 100,
      telemetry: { sink: () => undefined },
      sns: { publish: async () => undefined },
    },
  );
}

beforeAll(async () => {
  harness = await startHarness();
  await harness.restart({
    runner: createLocalTrainingRunner({ s3: harness.s3, members: 1, model: { filters: [16, 32, 64] } }),
  });
  for (const prefix of ['datasets/cifar-100', 'shuffled/cifar-100'])
    await stageDataset({ s3Client: harness.s3, bucket: BUCKET, prefix, progress: false });
  const { Body } = await harness.s3.send(
    new GetObjectCommand({
      Bucket: BUCKET,
      Key: 'datasets/cifar-100/train_lst/train.lst',
    }),
  );
  await put(
    harness.s3,
    'shuffled/cifar-100/train_lst/train.lst',
    shuffleLabels(await (Body?.transformToString() ?? '')),
  );
}, 120_000);
afterAll(async () => harness?.close());

type Output = {
  outcome: string;
  reason: string;
  candidate: { model_package_arn: string };
  evaluation: { candidate: { clean: number }; clean_drop: number | null };
};

describe('retraining with real training', () => {
  it('promotes a first candidate, then the gate stops one trained on shuffled labels', async () => {
    const input = { epochs: 1, poll_seconds: 1 };
    const first = await engine('real-retraining', 'datasets/cifar-100/').run(input, 'first');
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const promoted = first.output as Output;
    expect(promoted.outcome).toBe('promoted');
    expect(promoted.evaluation.candidate.clean).toBeGreaterThan(0.65);

    const second = await engine('real-retraining-shuffled', 'shuffled/cifar-100/').run(input, 'shuffled');
    expect(second.status, second.cause).toBe('SUCCEEDED');
    const rejected = second.output as Output;
    expect(rejected.outcome).toBe('rejected');
    expect(rejected.reason).toMatch(
      /^worse on the clean part: accuracy drop 0\.\d+ exceeds the margin 0\.01$/,
    );
    expect(rejected.evaluation.clean_drop).toBeGreaterThan(0.1);
    process.stderr.write(
      `retraining-real: first candidate clean accuracy ${promoted.evaluation.candidate.clean}, shuffled-label candidate ${rejected.evaluation.candidate.clean} (drop ${rejected.evaluation.clean_drop})\n`,
    );
    const registered = (await harness.service.call('DescribeModelPackage', {
      ModelPackageName: rejected.candidate.model_package_arn,
    })) as { ModelApprovalStatus: string; ModelPackageDescription: string };
    expect(registered).toMatchObject({
      ModelApprovalStatus: 'Rejected',
      ModelPackageDescription: rejected.reason,
    });
    const endpoint = (await harness.service.call('DescribeEndpoint', { EndpointName: ENDPOINT })) as {
      EndpointConfigName: string;
    };
    expect(endpoint.EndpointConfigName).toBe('scones-real-rt-first');
  }, 240_000);
});
