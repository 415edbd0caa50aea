/**
 * Opens the workflow on the chosen target for the CLI (src/targets/): the embedded runtime
 * in-process, or a deployed state machine (emulator, compose, AWS) through the Step Functions API.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { WorkflowEndpointFactory } from '../embedded/runtime.ts';
import { type StartedTarget, startTarget, type TargetKind, type TargetPlacement } from '../targets/index.ts';
import { endpointServes } from './local-model.ts';
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
  runBatch: StartedTarget['runBatch'];
  close(): Promise<void>;
}

/** The options of the embedded tier, refused where the workflow runs elsewhere. */
function refuseEmbeddedOptions(options: WorkflowOptions, { target }: TargetPlacement): void {
  if (options.threshold) {
    throw new Error(`--threshold applies to the embedded tier; on ${target} it is the deployed THRESHOLD`);
  }
  if (options.stub || options.model) {
    throw new Error(
      `--stub and --model apply to the embedded tier; on ${target} the deployed endpoint answers`,
    );
  }
}

const CHECKS: Record<TargetKind, (options: WorkflowOptions, placement: TargetPlacement) => void> = {
  embedded: () => {},
  stack: refuseEmbeddedOptions,
  deployed: refuseEmbeddedOptions,
};

const DESCRIBE: Record<TargetKind, (target: StartedTarget) => Promise<string>> = {
  embedded: async ({ runtime }) =>
    `embedded (${endpointServes(runtime)} endpoint at ${runtime?.endpoint.url})`,
  stack: async (target) => `${target.target} (${await target.stateMachineArn()})`,
  deployed: async (target) => `${target.target} (${await target.stateMachineArn()})`,
};

/** `workflowEndpoint`: the embedded tier's endpoint (the trained model); default, or with --stub, the stub. */
export async function openWorkflow(
  options: WorkflowOptions,
  workflowEndpoint?: WorkflowEndpointFactory,
): Promise<OpenWorkflow> {
  const mayServeModel = !!workflowEndpoint && !options.stub;
  const target = await startTarget({
    target: options.target ?? 'embedded',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.history ? { history: true } : {}),
    check: (placement) => CHECKS[placement.kind](options, placement),
    embedded: {
      runtime: {
        env: options.threshold ? { THRESHOLD: options.threshold } : {},
        ...(workflowEndpoint && mayServeModel ? { workflowEndpoint } : {}),
        ...(options.captureUri
          ? { capture: { destinationS3Uri: options.captureUri, samplingPercentage: 100 } }
          : {}),
        ...(options.verbose ? { verbose: true } : {}),
        ...(options.threads === false ? { s3Thread: false } : {}),
      },
    },
  });
  let describe: string;
  try {
    describe = await DESCRIBE[target.kind](target);
  } catch (error) {
    await target.stop();
    throw error;
  }
  return {
    s3: target.clients.s3,
    bucket: target.names.bucket,
    threshold: target.config.threshold,
    describe,
    ...(target.names.logFile ? { logFile: target.names.logFile } : {}),
    run: (event, name) => target.run(event, name),
    runBatch: (input, name) => target.runBatch(input, name),
    close: () => target.stop(),
  };
}
