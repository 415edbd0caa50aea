/**
 * Where `scones load` uploads and how it finds outcomes, per target (src/targets/; see load.ts):
 * the embedded tier started in this process (the engine's registry), a running `scones up` or a
 * deployed stack (the Step Functions API), and AWS with its plan and confirmation first.
 */
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { manifestKey } from '../../training/staged-layout.ts';
import { type KitConfig, loadConfig } from '../config.ts';
import type { EmbeddedRuntimeOptions } from '../embedded/runtime.ts';
import { createStubPredictor } from '../embedded/sagemaker-runtime/index.ts';
import { planAwsLoad } from '../load/aws-plan.ts';
import { engineOutcomes } from '../load/engine-outcomes.ts';
import type { OutcomeSource } from '../load/outcomes.ts';
import { LoadOptionError } from '../load/plan-options.ts';
import { sfnOutcomes } from '../load/sfn-outcomes.ts';
import type { SourceImage } from '../load/source-images.ts';
import { type StartedTarget, startTarget, type TargetKind } from '../targets/index.ts';
import { confirmOnTerminal } from './commands.ts';
import {
  CAPTURE_PREFIX,
  datasetPrefix,
  endpointServes,
  localModelEndpoint,
  stageData,
} from './local-model.ts';
import { log } from './log.ts';

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

/** The report's words for each placement, how its test split is staged, and what it refuses. */
interface LoadPlacement {
  /** The refusal of options this placement does not take; undefined when it takes them all. */
  refusal(options: LoadCommandOptions): string | undefined;
  describe(target: StartedTarget, options: LoadCommandOptions): Promise<string>;
  stageHint(target: StartedTarget, options: LoadCommandOptions): string;
  /** Stages the test split here when it is missing (a running stack's store). */
  stageIfMissing?: (target: StartedTarget) => () => Promise<void>;
}

/** A deployed target found in an AWS account: the promoted stage (loads there cost money). */
const inAws = (target: StartedTarget) => target.accountId !== undefined;

const PLACEMENTS: Record<TargetKind, LoadPlacement> = {
  embedded: {
    refusal: () => undefined,
    describe: async (target) => `embedded (${endpointServes(target.runtime)} endpoint)`,
    stageHint: () => 'scones stage',
  },
  stack: {
    refusal: (options) =>
      options.stub || options.threshold
        ? '--stub and --threshold apply when scones load starts the tier; the running stack serves its own'
        : undefined,
    describe: async (target) => `embedded stack at ${target.config.endpointFor('s3')}`,
    stageHint: () => 'scones stage',
    stageIfMissing: (target) => () => stageWhenMissing(target.clients.s3, target.names.bucket),
  },
  deployed: {
    refusal: (options) =>
      options.stub || options.threshold || options.endpointUrl
        ? `--stub, --threshold and --endpoint-url apply to the embedded tier; on ${options.target} the deployed stack answers`
        : undefined,
    describe: async (target, options) =>
      inAws(target)
        ? `aws (account ${target.accountId}, ${target.config.region}, stage ${target.config.stage})`
        : `${options.target} (bucket ${target.config.bucket})`,
    stageHint: (target, options) =>
      inAws(target) ? 'scones promote stages it' : `scones stage --target ${options.target}`,
  },
};

/** The embedded tier started for the load: event-driven, with data capture unless --no-capture. */
function embeddedRuntime(options: LoadCommandOptions): EmbeddedRuntimeOptions {
  const bucket = loadConfig({ SCONES_TARGET: 'embedded' }).bucket;
  const trainedModel = localModelEndpoint(false);
  return {
    env: options.threshold ? { THRESHOLD: options.threshold } : {},
    workflowEndpoint: async (s3, config) => {
      await stageWhenMissing(s3, config.bucket);
      return options.stub ? { predictor: createStubPredictor() } : trainedModel(s3, config);
    },
    trigger: { log },
    ...(options.capture === false
      ? {}
      : { capture: { destinationS3Uri: `s3://${bucket}/${CAPTURE_PREFIX}`, samplingPercentage: 100 } }),
  };
}

/** AWS: the promoted stage (promote's naming; the account from STS). */
async function promotedStage(options: LoadCommandOptions) {
  const { resolveTarget } = await import('../promote/target.ts');
  return resolveTarget({
    ...(options.stage ? { stage: options.stage } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  });
}

/** Closed executions: the engine's registry when it runs here, else the Step Functions API. */
async function outcomesOf(target: StartedTarget): Promise<{ outcomes: OutcomeSource; arn?: string }> {
  if (target.runtime) return { outcomes: engineOutcomes(target.runtime.engine, target.names.bucket) };
  const arn = await target.stateMachineArn();
  return { outcomes: sfnOutcomes(target.clients.sfn, arn, target.names.bucket, { onError: log }), arn };
}

/** AWS: the plan with its cost, then the confirmation (or --yes). */
function confirmOnAws(
  target: StartedTarget,
  stateMachineArn: string,
  options: LoadCommandOptions,
  uploads: number,
  pace: string,
) {
  return async (sources: readonly SourceImage[], keyPrefix: string) => {
    const meanImageBytes = sources.reduce((sum, image) => sum + image.png.length, 0) / sources.length;
    const plan = planAwsLoad({
      uploads,
      meanImageBytes,
      bucket: target.config.bucket,
      keyPrefix,
      region: target.config.region,
      stateMachineArn,
      account: target.accountId ?? '',
      pace,
    });
    log(plan.text);
    if (options.yes) return true;
    return confirmOnTerminal(`Upload ${uploads} images? [y/N] `);
  };
}

export async function openTarget(
  options: LoadCommandOptions,
  uploads: number,
  pace: string,
): Promise<LoadTarget> {
  const target = await startTarget({
    target: options.target,
    dataDir: options.dataDir,
    runningStack: options.endpointUrl ? { endpointUrl: options.endpointUrl } : {},
    embedded: { runtime: embeddedRuntime(options) },
    resolveAws: () => promotedStage(options),
    check: (placement) => {
      const refusal = PLACEMENTS[placement.kind].refusal(options);
      if (refusal) throw new LoadOptionError(refusal);
    },
  });
  try {
    const placement = PLACEMENTS[target.kind];
    const { outcomes, arn } = await outcomesOf(target);
    return {
      s3: target.clients.s3,
      config: target.config,
      describe: await placement.describe(target, options),
      outcomes,
      ...(arn ? { stateMachineArn: arn } : {}),
      stageHint: placement.stageHint(target, options),
      ...(placement.stageIfMissing ? { stageIfMissing: placement.stageIfMissing(target) } : {}),
      ...(inAws(target) ? { confirm: confirmOnAws(target, arn ?? '', options, uploads, pace) } : {}),
      close: () => target.stop(),
    };
  } catch (error) {
    await target.stop();
    throw error;
  }
}
