/**
 * Opens the workflow on the chosen target for the CLI: the embedded runtime in-process, or a
 * deployed state machine (emulator, compose, AWS) through the Step Functions API.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { createS3Client, createSfnClient } from '../aws/clients.ts';
import { loadConfig, type Target } from '../config.ts';
import type { PredictorFactory } from '../embedded/runtime.ts';
import { DEFAULT_DATA_DIR } from '../embedded/shared/index.ts';
import { resourceNames } from '../workflow/names.ts';
import { type BatchRunner, deployedBatchRunner, embeddedBatchRunner } from './batch-target.ts';
import type { WorkflowRunner } from './run-images.ts';

export interface WorkflowOptions {
  target?: string;
  /** Embedded: serve the deterministic stub instead of a trained model. */
  stub?: boolean;
  /** Embedded: the model.tar.gz to serve (path or s3:// in the embedded store). */
  model?: string;
  threshold?: string;
  dataDir?: string;
  /** Fetch each execution's history (remote targets), e.g. to draw it. */
  history?: boolean;
  /** Embedded: capture endpoint traffic under this s3:// URI, as SageMaker's data capture. */
  captureUri?: string;
  /** Embedded: also print the Lambdas' log and metric lines to stderr. */
  verbose?: boolean;
  /**
   * Embedded: the local S3 (and the function that reads from it) in a worker thread of its own,
   * the runtime's default, so the work spreads over both cores. The thread loads its own modules
   * (about 300 ms before the tier can start), which only pays off over many executions: false for
   * a few images.
   */
  threads?: boolean;
}

export interface OpenWorkflow extends WorkflowRunner {
  s3: S3Client;
  bucket: string;
  threshold: number;
  describe: string;
  /** Embedded: the run's log file (the Lambdas' JSON log records and EMF metrics). */
  logFile?: string;
  /** Runs the batch state machine (every image under a prefix) on the same target. */
  runBatch: BatchRunner;
  close(): Promise<void>;
}

/** `compose` is the containers target as the CLI user knows it. */
export function targetOf(name: string): Target {
  return (name === 'compose' ? 'containers' : name) as Target;
}

export async function openWorkflow(
  options: WorkflowOptions,
  predictor?: PredictorFactory,
): Promise<OpenWorkflow> {
  const target = targetOf(options.target ?? 'embedded');
  return target === 'embedded' ? openEmbedded(options, predictor) : openDeployed(target, options);
}

async function openEmbedded(options: WorkflowOptions, predictor?: PredictorFactory): Promise<OpenWorkflow> {
  // Loaded here, not at the top: the deployed targets need none of the embedded tier.
  const { startEmbeddedRuntime } = await import('../embedded/runtime.ts');
  const runtime = await startEmbeddedRuntime({
    dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
    env: options.threshold ? { THRESHOLD: options.threshold } : {},
    ...(predictor && !options.stub ? { predictor } : {}),
    ...(options.captureUri
      ? { capture: { destinationS3Uri: options.captureUri, samplingPercentage: 100 } }
      : {}),
    ...(options.verbose ? { verbose: true } : {}),
    ...(options.threads === false ? { s3Thread: false } : {}),
  });
  // The model's modules (tfjs, onnxruntime) load only when a model may be served: not with --stub.
  const servesModel =
    !!predictor &&
    !options.stub &&
    runtime.endpoint.predictor instanceof (await import('../../training/predictor.ts')).ModelPredictor;
  return {
    s3: runtime.s3,
    bucket: runtime.config.bucket,
    threshold: runtime.config.threshold,
    describe: `embedded (${servesModel ? 'trained model' : 'stub'} endpoint at ${runtime.endpoint.url})`,
    logFile: runtime.runLog.path,
    run: (event, name) => runtime.run(event, name),
    runBatch: embeddedBatchRunner(runtime),
    close: () => runtime.stop(),
  };
}

async function openDeployed(target: Target, options: WorkflowOptions): Promise<OpenWorkflow> {
  if (options.threshold) {
    throw new Error(`--threshold applies to the embedded tier; on ${target} it is the deployed THRESHOLD`);
  }
  if (options.stub || options.model) {
    throw new Error(
      `--stub and --model apply to the embedded tier; on ${target} the deployed endpoint answers`,
    );
  }
  const { createSfnRunner } = await import('../deploy/sfn-runner.ts');
  const config = loadConfig({ ...process.env, SCONES_TARGET: target });
  const sfn = createSfnClient(config);
  const name = resourceNames(config.stage).stateMachine;
  const stateMachineArn = await findStateMachine(sfn, name, target);
  const runner = createSfnRunner(sfn, stateMachineArn, { history: !!options.history });
  const s3 = createS3Client(config);
  return {
    s3,
    bucket: config.bucket,
    threshold: config.threshold,
    describe: `${target} (${stateMachineArn})`,
    run: (event, executionName) => runner.run(event, executionName),
    runBatch: deployedBatchRunner(sfn, config, target, findStateMachine),
    async close() {
      sfn.destroy();
      s3.destroy();
    },
  };
}

export async function findStateMachine(sfn: SFNClient, name: string, target: Target): Promise<string> {
  const { ListStateMachinesCommand } = await import('@aws-sdk/client-sfn');
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    const match = page.stateMachines?.find((machine) => machine.name === name);
    if (match?.stateMachineArn) return match.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  const hint = target === 'aws' ? 'scones promote' : `scones deploy --target ${target}`;
  throw new Error(`no state machine named ${name} on ${target}: deploy it first (${hint})`);
}
