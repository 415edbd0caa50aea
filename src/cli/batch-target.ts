/**
 * Runs the batch state machine (statemachine/image-batch.asl.json) for the CLI: in-process beside
 * the embedded runtime's classification engine, or the deployed one (emulator, compose, AWS)
 * through the Step Functions API. Either way the caller gets the embedded engine's record shape.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { KitConfig, Target } from '../config.ts';
import type { EmbeddedRuntime } from '../embedded/runtime.ts';
import type { EmbeddedEngine } from '../embedded/stepfunctions/index.ts';
import type { BatchInput } from '../workflow/batch-types.ts';
import type { ExecutionRecord } from '../workflow/execution.ts';
import { resourceNames } from '../workflow/names.ts';

export type BatchRunner = (input: BatchInput, name: string) => Promise<ExecutionRecord>;

/** A batch of 100,000 images on AWS takes a while: wait up to a day, polling at most every 5 s. */
const DEPLOYED_BATCH_TIMEOUT_MS = 24 * 3600_000;

export function embeddedBatchRunner(runtime: EmbeddedRuntime): BatchRunner {
  let engine: EmbeddedEngine | undefined;
  return async (input, name) => {
    // Loaded on the first batch: a per-image `scones classify` needs none of it.
    const { createBatchEngine } = await import('../embedded/stepfunctions/index.ts');
    engine ??= createBatchEngine(runtime.engine, {
      stage: runtime.config.stage,
      bucket: runtime.config.bucket,
      intakePrefix: runtime.config.intakePrefix,
      s3: runtime.s3,
      telemetry: { sink: runtime.runLog.write },
    });
    return engine.run(input, name);
  };
}

export function deployedBatchRunner(
  sfn: SFNClient,
  config: KitConfig,
  target: Target,
  findStateMachine: (sfn: SFNClient, name: string, target: Target) => Promise<string>,
): BatchRunner {
  let arn: Promise<string> | undefined;
  return async (input, name) => {
    const { createSfnRunner } = await import('../deploy/sfn-runner.ts');
    arn ??= findStateMachine(sfn, resourceNames(config.stage).batchStateMachine, target);
    const runner = createSfnRunner(sfn, await arn, { timeoutMs: DEPLOYED_BATCH_TIMEOUT_MS, maxPollMs: 5000 });
    // The runner's input type is the per-image event; it only serializes it.
    return runner.run(input as never, name);
  };
}
