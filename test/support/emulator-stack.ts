/**
 * The emulator tier for a test or benchmark: MiniStack started, the Lambda bundles built, the
 * workflow deployed into it through the deploy module, and a runner for executions. The Lambdas
 * reach MiniStack's S3 and the given SageMaker-runtime endpoint through their environment.
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
import { MiniStackServer, type StartedMiniStack } from '../../src/emulator/ministack.ts';

export interface EmulatorStack {
  ministack: StartedMiniStack;
  config: KitConfig;
  bundles: BundleInfo[];
  deployment: DeployResult;
  s3: S3Client;
  sfn: SFNClient;
  runner: SfnRunner;
  /** Runs the deploy module again with the same settings (idempotence, drift repair). */
  redeploy(): Promise<DeployResult>;
  stop(): Promise<void>;
}

export interface EmulatorStackOptions {
  /** SageMaker-runtime endpoint the deployed classify Lambda calls (e.g. the stub endpoint server). */
  endpointUrl: string;
  /** Extra kit settings (THRESHOLD, SCONES_STAGE, ...). */
  env?: Record<string, string>;
  runner?: SfnRunnerOptions;
  /**
   * Extra MiniStack settings, over `{ AUTH: 'true' }`: MiniStack enforces IAM policies, so the
   * Lambdas run with their deployed least-privilege roles (MiniStack does not enforce the state
   * machine's role; see docs/emulator-differences.md).
   */
  ministackEnvironment?: Record<string, string>;
  log?: (line: string) => void;
}

export async function startEmulatorStack(options: EmulatorStackOptions): Promise<EmulatorStack> {
  // Built before MiniStack starts: esbuild and MiniStack's start-up would compete for two cores.
  const outDir = await mkdtemp(join(tmpdir(), 'scones-bundles-'));
  const bundles = await buildBundles({ arch: 'x86_64', outDir });
  const ministack = await new MiniStackServer()
    .withEnvironment({ AUTH: 'true', ...options.ministackEnvironment })
    .start();
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
        await ministack.stop();
        await rm(outDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await ministack.stop();
    await rm(outDir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\nMiniStack output:\n${ministack.recentOutput()}`, {
      cause: error,
    });
  }
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
