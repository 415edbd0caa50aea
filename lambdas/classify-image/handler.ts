/** ClassifyImage Lambda: validate the serialized image, invoke the endpoint, return the classification. */
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createSageMakerRuntimeClient } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { InvalidEvent } from '../../src/workflow/errors.ts';
import type { Classification } from '../../src/workflow/types.ts';
import { requireEventObject, requireNonEmptyString } from '../shared/event-fields.ts';
import { classifyImage, type ImageToClassify } from './classify.ts';

const STATE = 'ClassifyImage';

/**
 * One attempt per invocation: Step Functions retries EndpointUnavailable with backoff, visibly in
 * the execution history. A 32x32 image is classified in milliseconds, so a request still unanswered
 * after 10 s is an outage, better spent waiting for the next retry (the Lambda timeout must exceed it).
 */
export const ENDPOINT_CLIENT_OPTIONS = {
  maxAttempts: 1,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface ClassifyHandlerDependencies {
  runtime: SageMakerRuntimeClient;
  endpointName: string;
}

export type ClassifyHandler = (event: unknown) => Promise<Classification>;

export function parseClassifyEvent(event: unknown): ImageToClassify {
  const record = requireEventObject(event, STATE);
  const image = {
    s3_bucket: requireNonEmptyString(record, 's3_bucket', STATE),
    s3_key: requireNonEmptyString(record, 's3_key', STATE),
    image_data: requireNonEmptyString(record, 'image_data', STATE),
  };
  if (!BASE64.test(image.image_data)) {
    throw new InvalidEvent(`${STATE}: "image_data" must be base64 (the output of SerializeImageData)`);
  }
  return image;
}

export function createHandler(deps: ClassifyHandlerDependencies): ClassifyHandler {
  return async (event) => classifyImage(deps, parseClassifyEvent(event));
}

let lambdaHandler: ClassifyHandler | undefined;

/** Lambda entry point; the runtime client is created on the first invocation and reused by warm ones. */
export async function handler(event: unknown): Promise<Classification> {
  if (!lambdaHandler) {
    const config = loadConfig();
    const runtime = createSageMakerRuntimeClient(config, ENDPOINT_CLIENT_OPTIONS);
    lambdaHandler = createHandler({ runtime, endpointName: config.endpointName });
  }
  return lambdaHandler(event);
}
