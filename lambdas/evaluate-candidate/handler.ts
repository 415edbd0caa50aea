/** EvaluateCandidate Lambda: validate the event, score both models on the held-out set, write the report. */
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { InvalidEvent } from '../../src/workflow/errors.ts';
import type {
  EvaluateCandidateRequest,
  EvaluationReport,
  SkippedLabels,
} from '../../src/workflow/retraining-types.ts';
import { requireEventObject, requireNonEmptyString } from '../shared/event-fields.ts';
import { s3ObjectStore } from '../shared/s3-objects.ts';
import {
  type InstrumentedHandler,
  type InvocationContext,
  instrument,
  type TelemetryOptions,
} from '../shared/telemetry.ts';
import { evaluateCandidate, type ModelLoader } from './evaluate.ts';

const STATE = 'EvaluateCandidate';

export interface EvaluateHandlerDependencies {
  s3: S3Client;
  /** Loads a model.tar.gz by S3 URI (the embedded tier passes the kit's predictor, training/predictor.ts). */
  loadModel: ModelLoader;
  telemetry?: TelemetryOptions;
}

export type EvaluateHandler = InstrumentedHandler<EvaluationReport>;

export function parseEvaluateEvent(event: unknown): EvaluateCandidateRequest {
  const record = requireEventObject(event, STATE);
  const current = record.current_model;
  if (current !== undefined && current !== null && (typeof current !== 'string' || current === '')) {
    throw new InvalidEvent(`${STATE}: "current_model" must be an S3 URI or null`);
  }
  const skipped = record.skipped;
  return {
    bucket: requireNonEmptyString(record, 'bucket', STATE),
    evaluation_manifest: requireNonEmptyString(record, 'evaluation_manifest', STATE),
    candidate_model: requireNonEmptyString(record, 'candidate_model', STATE),
    ...(typeof current === 'string' ? { current_model: current } : {}),
    report_uri: requireNonEmptyString(record, 'report_uri', STATE),
    ...(skipped && typeof skipped === 'object' ? { skipped: skipped as SkippedLabels } : {}),
  };
}

export function createHandler(deps: EvaluateHandlerDependencies): EvaluateHandler {
  const store = s3ObjectStore(deps.s3);
  return instrument(STATE, deps.telemetry ?? {}, async (event, invocation) => {
    const report = await evaluateCandidate(store, deps.loadModel, parseEvaluateEvent(event));
    invocation.info('candidate evaluated', {
      report_uri: report.report_uri,
      candidate_clean: report.candidate.clean.accuracy,
      candidate_reviewed: report.candidate.reviewed.accuracy,
      current_clean: report.current?.clean.accuracy ?? null,
      current_reviewed: report.current?.reviewed.accuracy ?? null,
    });
    return report;
  });
}

/** The kit's predictor, imported by a path the Lambda's bundle names (PREDICTOR_MODULE), not statically. */
async function predictorLoader(s3: S3Client): Promise<ModelLoader> {
  const module = process.env.PREDICTOR_MODULE ?? new URL('../../training/predictor.ts', import.meta.url).href;
  const { ModelPredictor } = (await import(module)) as {
    ModelPredictor: { load(uri: string, options: { s3Client: S3Client }): ReturnType<ModelLoader> };
  };
  return (uri) => ModelPredictor.load(uri, { s3Client: s3 });
}

let lambdaHandler: EvaluateHandler | undefined;

/** Lambda entry point; clients and the model loader are set up once per cold start. */
export async function handler(event: unknown, context?: InvocationContext): Promise<EvaluationReport> {
  if (!lambdaHandler) {
    const s3 = createS3Client(loadConfig());
    lambdaHandler = createHandler({ s3, loadModel: await predictorLoader(s3) });
  }
  return lambdaHandler(event, context);
}
