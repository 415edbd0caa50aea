/**
 * The retraining state machine's test bed: a local S3 and SageMaker (scripted training, a hosting
 * double), a tiny staged dataset whose "images" name their class, reviewed labels with their
 * captured images (and bad ones: malformed, missing image, contradicting, unusable), and scoring
 * models whose behaviour a test chooses per model artifact.
 */
import {
  type AlarmState,
  type EndpointDeployment,
  type EndpointHosting,
  HostingFailure,
} from '../../src/embedded/sagemaker/index.ts';
import { createRetrainingEngine, StateMachineRegistry } from '../../src/embedded/stepfunctions/index.ts';
import type { TrainingSet } from '../../src/workflow/retraining-types.ts';
import { CLASS_LABELS } from '../../src/workflow/types.ts';
import { BUCKET, type Harness, IMAGE, put, ROLE, ScriptedRunner, startHarness } from './sagemaker/support.ts';

export const ENDPOINT = 'scones-test-endpoint';
/** Small settings: one epoch, a canary that does not bake (tests that watch it bake say so), polls a second apart. */
export const FAST = {
  epochs: 1,
  mini_batch_size: 4,
  poll_seconds: 1,
  evaluation_share: 0.5,
  bake_seconds: 1,
};
export const STAGE = 'test';

/** The scripted runner, writing an object where the model artifact goes. */
export class ArtifactRunner extends ScriptedRunner {
  harness: Harness | undefined;
  override async run(...args: Parameters<ScriptedRunner['run']>) {
    const result = await super.run(...args);
    await put((this.harness as Harness).s3, result.modelArtifactUri.replace(`s3://${BUCKET}/`, ''), 'model');
    return result;
  }
}

/** Serves nothing; takes a moment to "load", so DescribeEndpoint sees Creating/Updating first. */
export class SlowHosting implements EndpointHosting {
  readonly deployed: string[] = [];
  /** Endpoint configs whose models fail to load (the update is rolled back). */
  refuse: (endpointConfigName: string) => boolean = () => false;
  async deploy(deployment: EndpointDeployment): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const variant = deployment.variants[0]?.variantName ?? 'AllTraffic';
    if (this.refuse(deployment.endpointConfigName))
      throw new HostingFailure(variant, `the model of ${deployment.endpointConfigName} was refused`);
    this.deployed.push(`${deployment.endpointName}:${deployment.endpointConfigName}`);
  }
  async route(): Promise<void> {}
  async remove(): Promise<void> {}
  /** Blue/green: green "loads" as deploy does; the shares it is given are kept for the tests. */
  readonly shares: number[] = [];
  #staged: EndpointDeployment | undefined;
  async stage(deployment: EndpointDeployment): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const variant = deployment.variants[0]?.variantName ?? 'AllTraffic';
    if (this.refuse(deployment.endpointConfigName))
      throw new HostingFailure(variant, `the model of ${deployment.endpointConfigName} was refused`);
    this.#staged = deployment;
  }
  async shift(_endpointName: string, greenShare: number): Promise<void> {
    this.shares.push(greenShare);
  }
  async promote(): Promise<void> {
    const green = this.#staged as EndpointDeployment;
    this.deployed.push(`${green.endpointName}:${green.endpointConfigName}`);
    this.#staged = undefined;
  }
  async discard(): Promise<void> {
    this.#staged = undefined;
  }
}

/** The stage's alarms as the blue/green rollout reads them: OK unless a test sets one. */
export class AlarmBoard {
  readonly states = new Map<string, AlarmState>();
  /** Every name the rollout asked about. */
  readonly watched = new Set<string>();
  read = async (names: readonly string[]): Promise<Record<string, AlarmState>> => {
    for (const name of names) this.watched.add(name);
    return Object.fromEntries(names.map((name) => [name, this.states.get(name) ?? 'OK']));
  };
}

/** The messages `sns:publish` Tasks sent. */
export class PublishedMessages {
  readonly messages: { topicArn: string; subject: string | undefined; message: Record<string, unknown> }[] =
    [];
  publish = async (topicArn: string, message: string, subject?: string): Promise<void> => {
    this.messages.push({ topicArn, subject, message: JSON.parse(message) });
  };
}

/** An "image" that names its class and whether it is drifted: what the scoring models read. */
export const imageOf = (label: number, id: string, drifted: boolean) =>
  `img|${label}|${drifted ? 'drift' : 'clean'}|${id}`;

export type Behaviour = 'perfect' | 'clean-only' | 'always-0';

/** A model by behaviour: perfect; right on clean images only (the drifted model); always class 0. */
export function scoringModel(behaviour: Behaviour) {
  return {
    ready: () => true,
    async predict(body: Buffer): Promise<number[]> {
      const [, label, kind] = body.toString('utf8').split('|');
      const truth = Number(label);
      const predicted =
        behaviour === 'always-0' ? 0 : behaviour === 'clean-only' && kind === 'drift' ? 1 - truth : truth;
      return CLASS_LABELS.map((_name, index) => (index === predicted ? 0.9 : 0.1));
    },
  };
}

const lst = (lines: [number, number, string][]) => lines.map((line) => `${line.join('\t')}\n`).join('');

/** A staged dataset of `perSplit` images a class in train, validation and test. */
export async function stageTinyDataset(harness: Harness, perSplit = 4): Promise<void> {
  let index = 0;
  for (const split of ['train', 'validation', 'test']) {
    const lines: [number, number, string][] = [];
    for (let label = 0; label < CLASS_LABELS.length; label++) {
      for (let i = 0; i < perSplit; i++) {
        const path = `${CLASS_LABELS[label]}/${split}_${i}.png`;
        await put(harness.s3, `datasets/cifar-100/${split}/${path}`, imageOf(label, `${split}${i}`, false));
        lines.push([index++, label, path]);
      }
    }
    await put(harness.s3, `datasets/cifar-100/${split}_lst/${split}.lst`, lst(lines));
  }
}

const groundTruth = (id: string, label: string) =>
  `${JSON.stringify({ groundTruthData: { data: label, encoding: 'CSV' }, eventMetadata: { eventId: id }, eventVersion: '0' })}\n`;

const capture = (id: string, image: string) =>
  JSON.stringify({
    captureData: {
      endpointInput: {
        observedContentType: 'image/png',
        mode: 'INPUT',
        data: Buffer.from(image).toString('base64'),
        encoding: 'BASE64',
      },
      endpointOutput: {
        observedContentType: 'application/json',
        mode: 'OUTPUT',
        data: '[0.5,0.5]',
        encoding: 'JSON',
      },
    },
    eventMetadata: { eventId: `event-${id}`, inferenceId: id, inferenceTime: '2026-12-07T08:00:00Z' },
    eventVersion: '0',
  });

/**
 * `count` reviewed drifted images (captured, labelled), plus one of each bad kind: a malformed
 * ground-truth line, a label whose image was never captured, two reviewers disagreeing, "neither".
 */
export async function writeReviewedLabels(harness: Harness, count = 16): Promise<void> {
  const captured: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `drift-${i}`;
    const label = i % 2;
    captured.push(capture(id, imageOf(label, id, true)));
    await put(
      harness.s3,
      `ground_truth/2026/12/07/08/${id}.jsonl`,
      groundTruth(id, CLASS_LABELS[label] as string),
    );
  }
  captured.push(capture('contested', imageOf(0, 'contested', true)));
  captured.push(capture('neither', imageOf(0, 'neither', true)));
  await put(harness.s3, 'ground_truth/2026/12/07/08/bad.jsonl', '{"groundTruthData": \n');
  await put(harness.s3, 'ground_truth/2026/12/07/08/lost.jsonl', groundTruth('never-captured', 'bicycle'));
  await put(harness.s3, 'ground_truth/2026/12/07/08/contested.jsonl', groundTruth('contested', 'bicycle'));
  await put(harness.s3, 'ground_truth/2026/12/07/09/contested.jsonl', groundTruth('contested', 'motorcycle'));
  await put(harness.s3, 'ground_truth/2026/12/07/08/neither.jsonl', groundTruth('neither', 'neither'));
  await put(
    harness.s3,
    `data_capture/${ENDPOINT}/AllTraffic/2026/12/07/08/a.jsonl`,
    `${captured.join('\n')}\n`,
  );
}

/** The retraining engine over the harness; `behaviours` picks each model artifact's scoring model. */
export function retrainingEngine(
  harness: Harness,
  behaviourOf: (modelDataUrl: string) => Behaviour,
  published: PublishedMessages = new PublishedMessages(),
  stateMachines: StateMachineRegistry = new StateMachineRegistry(),
) {
  return createRetrainingEngine(
    {
      stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:scones-${STAGE}-image-classification`,
      stateMachines,
    },
    {
      stage: STAGE,
      bucket: BUCKET,
      endpointName: ENDPOINT,
      s3: harness.s3,
      sagemaker: harness.service,
      trainingImage: IMAGE,
      sagemakerRoleArn: ROLE,
      loadModel: async (uri) => scoringModel(behaviourOf(uri)),
      sagemakerPollMs: 20,
      retryDelayMs: 0,
      sns: published,
      // The handlers' log lines are not what these tests read.
      telemetry: { sink: () => undefined },
    },
  );
}

/** Deploys `modelKey` as the endpoint in service, through the SageMaker API, and waits for InService. */
export async function deployCurrentModel(harness: Harness, name: string, modelKey: string): Promise<void> {
  await put(harness.s3, modelKey, 'model');
  const call = (action: string, input: unknown) => harness.service.call(action, input);
  await call('CreateModel', {
    ModelName: name,
    PrimaryContainer: { Image: IMAGE, ModelDataUrl: `s3://${BUCKET}/${modelKey}` },
    ExecutionRoleArn: ROLE,
  });
  await call('CreateEndpointConfig', {
    EndpointConfigName: name,
    ProductionVariants: [
      { VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
    ],
  });
  await call('CreateEndpoint', { EndpointName: ENDPOINT, EndpointConfigName: name });
  for (let i = 0; i < 100; i++) {
    const described = (await call('DescribeEndpoint', { EndpointName: ENDPOINT })) as {
      EndpointStatus: string;
    };
    if (described.EndpointStatus === 'InService') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${ENDPOINT} did not come InService`);
}

/** Candidates (artifacts under retraining/models/) behave as `candidate`; the model in service is right on clean images only. */
export const byArtifact =
  (candidate: Behaviour) =>
  (uri: string): Behaviour =>
    uri.includes('/retraining/models/') ? candidate : 'clean-only';

/** The execution output's fields these tests read. */
export interface RetrainingOutput {
  outcome: string;
  reason: string;
  candidate: { model_package_arn: string };
  in_service: { endpoint_config: string | null; model_data: string | null };
  training_set: TrainingSet['counts'];
  skipped_labels: Record<string, number>;
  evaluation: {
    report_uri: string;
    clean_drop: number | null;
    reviewed_gain: number | null;
    current: unknown;
  };
}

/** One test's bed: its own local S3 and SageMaker, so the tests of a file can run at once. */
export interface RetrainingBed {
  harness: Harness;
  runner: ArtifactRunner;
  hosting: SlowHosting;
  alarms: AlarmBoard;
  published: PublishedMessages;
}

/** A vitest fixture: the staged tiny dataset and reviewed labels, closed after the test. */
export async function retrainingBed(use: (bed: RetrainingBed) => Promise<void>): Promise<void> {
  const runner = new ArtifactRunner();
  const hosting = new SlowHosting();
  const alarms = new AlarmBoard();
  const harness = await startHarness({ runner, hosting, alarmStates: alarms.read, alarmPollIntervalMs: 20 });
  try {
    runner.harness = harness;
    await stageTinyDataset(harness);
    await writeReviewedLabels(harness);
    await use({ harness, runner, hosting, alarms, published: new PublishedMessages() });
  } finally {
    await harness.close();
  }
}
