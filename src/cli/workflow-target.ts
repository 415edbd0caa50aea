/**
 * Opens the workflow on the chosen target for the CLI: the embedded runtime in-process, or a
 * deployed state machine (emulator, compose, AWS) through the Step Functions API.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_DATA_DIR, startEmbeddedRuntime } from '../embedded/runtime.ts';
import type { WorkflowRunner } from './run-images.ts';

export interface WorkflowOptions {
  target?: string;
  stub?: boolean;
  threshold?: string;
  dataDir?: string;
}

export interface OpenWorkflow extends WorkflowRunner {
  s3: S3Client;
  bucket: string;
  threshold: number;
  describe: string;
  close(): Promise<void>;
}

export async function openWorkflow(options: WorkflowOptions): Promise<OpenWorkflow> {
  const target = options.target ?? 'embedded';
  if (target !== 'embedded') {
    throw new Error(`target ${target} is not available yet`);
  }
  const runtime = await startEmbeddedRuntime({
    dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
    env: options.threshold ? { THRESHOLD: options.threshold } : {},
  });
  return {
    s3: runtime.s3,
    bucket: runtime.config.bucket,
    threshold: runtime.config.threshold,
    describe: `embedded (stub endpoint at ${runtime.endpoint.url})`,
    run: (event, name) => runtime.run(event, name),
    close: () => runtime.stop(),
  };
}
