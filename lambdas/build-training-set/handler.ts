/** BuildTrainingSet Lambda: validate the event, build the run's channels and evaluation set. */
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { InvalidEvent } from '../../src/workflow/errors.ts';
import type { BuildTrainingSetRequest, TrainingSet } from '../../src/workflow/retraining-types.ts';
import { requireEventObject, requireNonEmptyString } from '../shared/event-fields.ts';
import { s3ObjectStore } from '../shared/s3-objects.ts';
import {
  type InstrumentedHandler,
  type InvocationContext,
  instrument,
  type TelemetryOptions,
} from '../shared/telemetry.ts';
import { buildTrainingSet } from './build.ts';

const STATE = 'BuildTrainingSet';

export interface BuildHandlerDependencies {
  s3: S3Client;
  telemetry?: TelemetryOptions;
}

export type BuildHandler = InstrumentedHandler<TrainingSet>;

/** A prefix: '' or ending in '/'. */
function requirePrefix(record: Record<string, unknown>, field: string): string {
  const value = record[field];
  if (typeof value !== 'string' || (value !== '' && !value.endsWith('/'))) {
    throw new InvalidEvent(`${STATE}: "${field}" must be a key prefix ending in "/"`);
  }
  return value;
}

export function parseBuildEvent(event: unknown): BuildTrainingSetRequest {
  const record = requireEventObject(event, STATE);
  const share = record.evaluation_share;
  if (typeof share !== 'number' || !(share >= 0 && share < 1)) {
    throw new InvalidEvent(`${STATE}: "evaluation_share" must be a number from 0 to below 1`);
  }
  const runId = requireNonEmptyString(record, 'run_id', STATE);
  if (!/^[A-Za-z0-9_-]+$/.test(runId)) {
    throw new InvalidEvent(`${STATE}: "run_id" may hold letters, digits, "-" and "_" only`);
  }
  return {
    run_id: runId,
    bucket: requireNonEmptyString(record, 'bucket', STATE),
    dataset_prefix: requirePrefix(record, 'dataset_prefix'),
    ground_truth_prefix: requirePrefix(record, 'ground_truth_prefix'),
    capture_prefix: requirePrefix(record, 'capture_prefix'),
    output_prefix: requirePrefix(record, 'output_prefix'),
    evaluation_share: share,
    seed: typeof record.seed === 'string' ? record.seed : String(record.seed ?? 'scones'),
  };
}

export function createHandler(deps: BuildHandlerDependencies): BuildHandler {
  const store = s3ObjectStore(deps.s3);
  return instrument(STATE, deps.telemetry ?? {}, async (event, invocation) => {
    const request = parseBuildEvent(event);
    const set = await buildTrainingSet(store, request);
    invocation.info('training set built', {
      run_prefix: set.run_prefix,
      counts: set.counts,
      skipped: set.skipped,
    });
    return set;
  });
}

let lambdaHandler: BuildHandler | undefined;

/** Lambda entry point; the S3 client is created on the first invocation and reused by warm ones. */
export async function handler(event: unknown, context?: InvocationContext): Promise<TrainingSet> {
  lambdaHandler ??= createHandler({ s3: createS3Client(loadConfig()) });
  return lambdaHandler(event, context);
}
