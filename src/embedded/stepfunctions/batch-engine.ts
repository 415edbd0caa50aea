/**
 * The batch state machine in-process (`statemachine/image-batch.asl.json`): a Distributed Map over
 * an S3 prefix whose children start the classification state machine, then the summary function.
 * It lives beside the classification engine, in its state-machine registry, under the ARN a
 * deployment gives it in the same account and region; its SummarizeBatch Lambda is the real handler.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { TelemetryOptions } from '../../../lambdas/shared/telemetry.ts';
import { createHandler as createSummarizeHandler } from '../../../lambdas/summarize-batch/handler.ts';
import { ConfigError } from '../../config.ts';
import { BATCH_RESULTS_PREFIX, batchSubstitutionsFor, loadDefinition } from '../../workflow/definition.ts';
import { resourceNames } from '../../workflow/names.ts';
import type { LambdaHandler } from '../functions/index.ts';
import { EmbeddedEngine } from './engine.ts';

export interface BatchEngineOptions {
  stage: string;
  /** The kit's bucket: where the results go. */
  bucket: string;
  /** Uploads under it start executions: the results must not land there. */
  intakePrefix: string;
  s3: S3Client;
  telemetry?: TelemetryOptions;
  retryDelayMs?: number;
}

/** The ARN of `name` of another service, in the classification state machine's partition, region and account. */
function siblingArn(stateMachineArn: string, service: string, resource: string): string {
  const [, partition, , region, accountId] = stateMachineArn.split(':');
  return `arn:${partition}:${service}:${region}:${accountId}:${resource}`;
}

export function createBatchEngine(
  classification: EmbeddedEngine,
  options: BatchEngineOptions,
): EmbeddedEngine {
  if (
    BATCH_RESULTS_PREFIX.startsWith(options.intakePrefix) ||
    options.intakePrefix.startsWith(BATCH_RESULTS_PREFIX)
  ) {
    throw new ConfigError(
      `the intake prefix "${options.intakePrefix}" overlaps the batch results prefix "${BATCH_RESULTS_PREFIX}": result files would start executions`,
    );
  }
  const names = resourceNames(options.stage);
  const summarizeArn = siblingArn(
    classification.stateMachineArn,
    'lambda',
    `function:${names.batchFunction}`,
  );
  return new EmbeddedEngine({
    definition: loadDefinition(
      batchSubstitutionsFor({
        classificationStateMachineArn: classification.stateMachineArn,
        summarizeFunctionArn: summarizeArn,
        resultsBucket: options.bucket,
      }),
      'batch',
    ),
    functions: {
      [summarizeArn]: createSummarizeHandler({
        s3: options.s3,
        ...(options.telemetry ? { telemetry: options.telemetry } : {}),
      }) as LambdaHandler,
    },
    clients: { s3: options.s3 },
    stateMachineArn: siblingArn(
      classification.stateMachineArn,
      'states',
      `stateMachine:${names.batchStateMachine}`,
    ),
    stateMachines: classification.stateMachines,
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
  });
}
