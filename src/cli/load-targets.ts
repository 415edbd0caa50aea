/**
 * Where `scones load` uploads and how it finds outcomes, per target (see load.ts): the embedded
 * tier started in this process (the engine's registry), a running `scones up` or a deployed
 * stack (the Step Functions API), and AWS with its plan and confirmation first.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { manifestKey } from '../../training/staged-layout.ts';
import { createS3Client, createSfnClient } from '../aws/clients.ts';
import { endpointEnvironment, type KitConfig, loadConfig } from '../config.ts';
import { startEmbeddedRuntime } from '../embedded/runtime.ts';
import { createStubPredictor } from '../embedded/sagemaker-runtime/index.ts';
import { planAwsLoad } from '../load/aws-plan.ts';
import { engineOutcomes } from '../load/engine-outcomes.ts';
import type { OutcomeSource } from '../load/outcomes.ts';
import { LoadOptionError } from '../load/plan-options.ts';
import { sfnOutcomes } from '../load/sfn-outcomes.ts';
import type { SourceImage } from '../load/source-images.ts';
import { resourceNames } from '../workflow/names.ts';
import { confirmOnTerminal } from './commands.ts';
import { CAPTURE_PREFIX, datasetPrefix, localModelPredictor, stageData } from './local-model.ts';
import { log } from './log.ts';
import { findStateMachine, targetOf } from './workflow-target.ts';

export interface LoadCommandOptions {
  count?: number;
  rate?: string;
  duration?: string;
  concurrency?: number;
  drift?: string;
  seed?: number;
  stub?: boolean;
  dataDir: string;
  json?: boolean;
  target: string;
  endpointUrl?: string;
  timeout?: string;
  capture?: boolean;
  threshold?: string;
  yes?: boolean;
  stage?: string;
  region?: string;
  profile?: string;
}

/** Where the uploads go and where their outcomes are read. */
export interface LoadTarget {
  s3: S3Client;
  config: KitConfig;
  describe: string;
  outcomes: OutcomeSource;
  /** Remote targets: the classification state machine. */
  stateMachineArn?: string;
  /** How to stage the test split when it is missing (a command), or stage it here (embedded). */
  stageHint: string;
  stageIfMissing?: () => Promise<void>;
  /** AWS: the plan, then confirmation. */
  confirm?: (sources: readonly SourceImage[], keyPrefix: string) => Promise<boolean>;
  close(): Promise<void>;
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return false;
    throw error;
  }
}

/** Stages the shipped data into an embedded store only when its test split is not there yet. */
async function stageWhenMissing(s3: S3Client, bucket: string): Promise<void> {
  if (!(await exists(s3, bucket, manifestKey(datasetPrefix(), 'test')))) await stageData(s3, bucket);
}

async function openInProcess(options: LoadCommandOptions): Promise<LoadTarget> {
  const bucket = loadConfig({ SCONES_TARGET: 'embedded' }).bucket;
  const serve = localModelPredictor(false);
  const runtime = await startEmbeddedRuntime({
    dataDir: options.dataDir,
    env: options.threshold ? { THRESHOLD: options.threshold } : {},
    predictor: async (s3, config) => {
      await stageWhenMissing(s3, config.bucket);
      return options.stub ? createStubPredictor() : serve(s3, config);
    },
    trigger: { log },
    ...(options.capture === false
      ? {}
      : { capture: { destinationS3Uri: `s3://${bucket}/${CAPTURE_PREFIX}`, samplingPercentage: 100 } }),
  });
  // The model's modules (tfjs, onnxruntime) load only when a model may be served: not with --stub.
  const servesModel =
    !options.stub &&
    runtime.endpoint.predictor instanceof (await import('../../training/predictor.ts')).ModelPredictor;
  return {
    s3: runtime.s3,
    config: runtime.config,
    describe: `embedded (${servesModel ? 'trained model' : 'stub'} endpoint)`,
    outcomes: engineOutcomes(runtime.engine, runtime.config.bucket),
    stageHint: 'scones stage',
    close: () => runtime.stop(),
  };
}

/** A running `scones up`: its S3 and its Step Functions API share one endpoint. */
async function openRunningStack(options: LoadCommandOptions, s3Endpoint: string): Promise<LoadTarget> {
  if (options.stub || options.threshold) {
    throw new LoadOptionError(
      '--stub and --threshold apply when scones load starts the tier; the running stack serves its own',
    );
  }
  const base = loadConfig({ ...process.env, SCONES_TARGET: 'embedded' });
  const config = loadConfig({
    ...process.env,
    SCONES_TARGET: 'embedded',
    ...endpointEnvironment({
      s3: s3Endpoint,
      sfn: options.endpointUrl ?? base.endpointFor('sfn') ?? s3Endpoint,
    }),
  });
  return openDeployed(config, `embedded stack at ${s3Endpoint}`, 'scones stage', async (s3) =>
    stageWhenMissing(s3, config.bucket),
  );
}

async function openDeployed(
  config: KitConfig,
  describe: string,
  stageHint: string,
  stageIfMissing?: (s3: S3Client) => Promise<void>,
): Promise<LoadTarget> {
  const s3 = createS3Client(config);
  const sfn = createSfnClient(config);
  try {
    const stateMachineArn = await findStateMachine(
      sfn,
      resourceNames(config.stage).stateMachine,
      config.target,
    );
    return {
      s3,
      config,
      describe,
      outcomes: sfnOutcomes(sfn, stateMachineArn, config.bucket, { onError: log }),
      stateMachineArn,
      stageHint,
      ...(stageIfMissing ? { stageIfMissing: () => stageIfMissing(s3) } : {}),
      async close() {
        s3.destroy();
        sfn.destroy();
      },
    };
  } catch (error) {
    s3.destroy();
    sfn.destroy();
    throw error;
  }
}

async function openAws(options: LoadCommandOptions, uploads: number, pace: string): Promise<LoadTarget> {
  const { resolveTarget } = await import('../promote/target.ts');
  const resolved = await resolveTarget({
    ...(options.stage ? { stage: options.stage } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  });
  const target = await openDeployed(
    resolved.config,
    `aws (account ${resolved.accountId}, ${resolved.region}, stage ${resolved.stage})`,
    'scones promote stages it',
  );
  target.confirm = async (sources, keyPrefix) => {
    const meanImageBytes = sources.reduce((sum, image) => sum + image.png.length, 0) / sources.length;
    const plan = planAwsLoad({
      uploads,
      meanImageBytes,
      bucket: resolved.bucket,
      keyPrefix,
      region: resolved.region,
      stateMachineArn: target.stateMachineArn ?? '',
      account: resolved.accountId,
      pace,
    });
    log(plan.text);
    if (options.yes) return true;
    return confirmOnTerminal(`Upload ${uploads} images? [y/N] `);
  };
  return target;
}

export async function openTarget(
  options: LoadCommandOptions,
  uploads: number,
  pace: string,
): Promise<LoadTarget> {
  const target = targetOf(options.target);
  if (target === 'embedded') {
    const running =
      options.endpointUrl ?? loadConfig({ ...process.env, SCONES_TARGET: 'embedded' }).endpointFor('s3');
    return running ? openRunningStack(options, running) : openInProcess(options);
  }
  if (options.stub || options.threshold || options.endpointUrl) {
    throw new LoadOptionError(
      `--stub, --threshold and --endpoint-url apply to the embedded tier; on ${options.target} the deployed stack answers`,
    );
  }
  if (target === 'aws') return openAws(options, uploads, pace);
  const config = loadConfig({ ...process.env, SCONES_TARGET: target });
  return openDeployed(
    config,
    `${options.target} (bucket ${config.bucket})`,
    `scones stage --target ${options.target}`,
  );
}
