/**
 * The emulator tier for a test or benchmark: MiniStack (the run's shared one in tests, or one
 * started here), the Lambda bundles (prebuilt, or built here), the workflow deployed into it
 * through the deploy module, and a runner for executions. The Lambdas reach MiniStack's S3 and the
 * given SageMaker-runtime endpoint through their environment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { expect, vi } from 'vitest';
import { createS3Client, createSfnClient } from '../../src/aws/clients.ts';
import { type KitConfig, loadConfig } from '../../src/config.ts';
import { type BundleInfo, buildBundles, type DeployResult, deploy } from '../../src/deploy/index.ts';
import { createSfnRunner, type SfnRunner, type SfnRunnerOptions } from '../../src/deploy/sfn-runner.ts';
import { MiniStackServer } from '../../src/emulator/ministack.ts';
import { isolatedStage, sharedBundles, sharedServer } from './shared-emulators/client.ts';

/** A running MiniStack: one started here, or the run's shared one (test/support/shared-emulators). */
export interface MiniStackEndpoint {
  url: string;
  environment(): Record<string, string>;
  recentOutput(): string | Promise<string>;
}

export interface EmulatorStack {
  ministack: MiniStackEndpoint;
  config: KitConfig;
  bundles: BundleInfo[];
  deployment: DeployResult;
  s3: S3Client;
  sfn: SFNClient;
  runner: SfnRunner;
  /** Runs the deploy module again with the same settings (idempotence, drift repair). */
  redeploy(): Promise<DeployResult>;
  /** Closes the clients; stops MiniStack and removes the bundles only if started or built here. */
  stop(): Promise<void>;
}

export interface EmulatorStackOptions {
  /** SageMaker-runtime endpoint the deployed classify Lambda calls (e.g. the stub endpoint server). */
  endpointUrl: string;
  /** Extra kit settings (THRESHOLD, SCONES_STAGE, ...). */
  env?: Record<string, string>;
  runner?: SfnRunnerOptions;
  /** A running MiniStack to deploy into, left running by `stop()`; default: one started here. */
  ministack?: MiniStackEndpoint;
  /** Prebuilt bundles (left in place by `stop()`); default: built here. */
  bundles?: BundleInfo[];
  /**
   * Extra settings of a MiniStack started here, over `{ AUTH: 'true' }`: MiniStack enforces IAM
   * policies, so the Lambdas run with their deployed least-privilege roles (MiniStack does not
   * enforce the state machine's role; see docs/emulator-differences.md).
   */
  ministackEnvironment?: Record<string, string>;
  log?: (line: string) => void;
}

/** Builds the bundles unless given, then starts MiniStack unless given: what to undo on `stop()`. */
async function prepare(options: EmulatorStackOptions) {
  let outDir: string | undefined;
  let bundles = options.bundles;
  if (!bundles) {
    // Built before MiniStack starts: esbuild and MiniStack's start-up would compete for two cores.
    outDir = await mkdtemp(join(tmpdir(), 'scones-bundles-'));
    bundles = await buildBundles({ arch: 'x86_64', outDir });
  }
  const started = options.ministack
    ? undefined
    : await new MiniStackServer().withEnvironment({ AUTH: 'true', ...options.ministackEnvironment }).start();
  const ministack = (options.ministack ?? started) as MiniStackEndpoint;
  const release = async () => {
    await started?.stop();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  };
  return { bundles, ministack, release };
}

export async function startEmulatorStack(options: EmulatorStackOptions): Promise<EmulatorStack> {
  const { bundles, ministack, release } = await prepare(options);
  try {
    const config = loadConfig({ SCONES_TARGET: 'emulator', ...options.env, ...ministack.environment() });
    const deployOptions = {
      config,
      bundles,
      lambdaEndpoints: { s3: ministack.url, sagemakerRuntime: options.endpointUrl },
      log: options.log ?? (() => {}),
    };
    const deployment = await deploy(deployOptions);
    const s3 = createS3Client(config);
    const sfn = createSfnClient(config);
    return {
      ministack,
      config,
      bundles,
      deployment,
      s3,
      sfn,
      runner: createSfnRunner(sfn, deployment.stateMachineArn, options.runner),
      redeploy: () => deploy(deployOptions),
      async stop() {
        s3.destroy();
        sfn.destroy();
        await release();
      },
    };
  } catch (error) {
    const output = await ministack.recentOutput();
    await release();
    throw new Error(`${(error as Error).message}\nMiniStack output:\n${output}`, { cause: error });
  }
}

/**
 * A test file's emulator stack: the run's shared MiniStack (AUTH on, retry waits at 5 %, six Lambda
 * invocations at once: shared-emulators/servers.ts) and bundles, the workflow deployed under the
 * file's own `stage` and bucket, so files sharing the server never meet.
 */
export async function startSharedEmulatorStack(
  stage: string,
  options: Omit<EmulatorStackOptions, 'ministack' | 'bundles' | 'ministackEnvironment'>,
): Promise<EmulatorStack> {
  const [ministack, bundles] = await Promise.all([sharedServer('ministack'), sharedBundles()]);
  return startEmulatorStack({
    ...options,
    ministack,
    bundles,
    env: { ...isolatedStage(stage), ...options.env },
    // An execution here takes a few hundred ms: the runner's default backoff (50 ms doubling to
    // 1 s) would notice most of them hundreds of ms late, with MiniStack idle meanwhile.
    runner: { pollMs: 25, maxPollMs: 100, ...options.runner },
  });
}

/** The execution once it is no longer RUNNING (DescribeExecution polled), for the emulator's tests. */
export function closedExecution(
  sfn: SFNClient,
  executionArn: string,
  { timeout, interval }: { timeout: number; interval: number },
): Promise<DescribeExecutionCommandOutput> {
  return vi.waitFor(
    async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(execution.status).not.toBe('RUNNING');
      return execution;
    },
    { timeout, interval },
  );
}
