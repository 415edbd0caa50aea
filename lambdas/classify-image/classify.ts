/**
 * Invokes the SageMaker endpoint with the normalized PNG and turns its answer into a
 * Classification. Errors are sorted into the two names the ASL knows: `EndpointUnavailable`
 * (transient: Step Functions retries it with backoff) and `EndpointError` (retrying cannot help).
 */
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import {
  EndpointError,
  EndpointUnavailable,
  InvalidInferenceResponse,
  type WorkflowError,
} from '../../src/workflow/errors.ts';
import { CLASS_LABELS, type Classification } from '../../src/workflow/types.ts';

/** Softmax outputs serialized as text (float32, rounded) need not add up to exactly 1. */
export const PROBABILITY_SUM_TOLERANCE = 0.01;

/** Service errors that say "not now" rather than "never" (SageMaker Runtime API reference). */
const TRANSIENT_ERROR_NAMES = new Set([
  'ServiceUnavailable',
  'InternalFailure',
  'InternalDependencyException',
  'ModelNotReadyException',
  'ThrottlingException',
  'TimeoutError', // the SDK's name for request/connection timeouts and resets
]);

/** Socket errors of an endpoint that is down, restarting or unreachable for a moment. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

export interface ImageToClassify {
  /** Sent as InvokeEndpoint's InferenceId: SageMaker's data capture records it with the inference. */
  inference_id: string;
  s3_bucket: string;
  s3_key: string;
  /** Base64 of the normalized PNG. */
  image_data: string;
}

export interface ClassifyOutcome {
  classification: Classification;
  /** How long InvokeEndpoint took, as the caller saw it (network and model). */
  modelLatencyMs: number;
}

export interface ClassifyDependencies {
  runtime: SageMakerRuntimeClient;
  endpointName: string;
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  OriginalStatusCode?: number;
  OriginalMessage?: string;
  LogStreamArn?: string;
}

function invalidResponse(endpointName: string, problem: string): InvalidInferenceResponse {
  return new InvalidInferenceResponse(
    `Endpoint "${endpointName}" answered ${problem}; expected a JSON list of ${CLASS_LABELS.length} class probabilities (${CLASS_LABELS.join(', ')})`,
  );
}

/** Parses the endpoint's body: a JSON list with one probability per class, in CLASS_LABELS order. */
export function parseInferences(body: Uint8Array | string | undefined, endpointName: string): number[] {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body ?? new Uint8Array());
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidResponse(endpointName, `with a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (!Array.isArray(parsed))
    throw invalidResponse(endpointName, `with ${JSON.stringify(parsed).slice(0, 80)}`);
  if (parsed.length !== CLASS_LABELS.length)
    throw invalidResponse(endpointName, `a list of ${parsed.length} values`);
  const bad = parsed.findIndex((p) => typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1);
  if (bad !== -1) {
    throw invalidResponse(endpointName, `${JSON.stringify(parsed[bad])} at index ${bad}, not a probability`);
  }
  const probabilities = parsed as number[];
  const sum = probabilities.reduce((total, p) => total + p, 0);
  if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
    throw invalidResponse(endpointName, `probabilities that sum to ${sum}, not 1`);
  }
  return probabilities;
}

export function toClassification(
  image: Pick<ImageToClassify, 'inference_id' | 's3_bucket' | 's3_key'>,
  inferences: number[],
): Classification {
  // Ties go to the lower class index, so the result is deterministic.
  const predictedIndex = inferences.reduce(
    (best, p, index) => (p > (inferences[best] ?? -1) ? index : best),
    0,
  );
  return {
    inference_id: image.inference_id,
    s3_bucket: image.s3_bucket,
    s3_key: image.s3_key,
    inferences,
    predicted_index: predictedIndex,
    predicted_label: CLASS_LABELS[predictedIndex] ?? String(predictedIndex),
    confidence: inferences[predictedIndex] ?? 0,
  };
}

function describeSdkError(error: SdkErrorShape): string {
  const status = error.$metadata?.httpStatusCode;
  const name = error.code && error.name === 'Error' ? error.code : (error.name ?? 'Error');
  return `${name}${status ? ` (HTTP ${status})` : ''}: ${error.message ?? 'no message'}`;
}

/** Maps whatever InvokeEndpoint threw to EndpointUnavailable (retry) or EndpointError (give up). */
export function mapInvokeError(error: unknown, endpointName: string): WorkflowError {
  const sdkError = (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as SdkErrorShape;
  const status = sdkError.$metadata?.httpStatusCode;
  const transient =
    TRANSIENT_ERROR_NAMES.has(sdkError.name ?? '') ||
    TRANSIENT_NETWORK_CODES.has(sdkError.code ?? '') ||
    status === 429 ||
    (status !== undefined && status >= 500);
  if (transient) {
    return new EndpointUnavailable(
      `Endpoint "${endpointName}" is unavailable: ${describeSdkError(sdkError)}`,
      {
        cause: error,
      },
    );
  }
  if (sdkError.name === 'ModelError') {
    const logs = sdkError.LogStreamArn ? `; logs: ${sdkError.LogStreamArn}` : '';
    return new EndpointError(
      `Endpoint "${endpointName}" model failed: ModelError (HTTP ${status ?? 424}), container answered ${sdkError.OriginalStatusCode ?? 'unknown status'}: ${sdkError.OriginalMessage ?? sdkError.message ?? 'no message'}${logs}`,
      { cause: error },
    );
  }
  return new EndpointError(`Endpoint "${endpointName}" refused the request: ${describeSdkError(sdkError)}`, {
    cause: error,
  });
}

export async function classifyImage(
  deps: ClassifyDependencies,
  image: ImageToClassify,
): Promise<ClassifyOutcome> {
  const command = new InvokeEndpointCommand({
    EndpointName: deps.endpointName,
    ContentType: 'image/png',
    Accept: 'application/json',
    InferenceId: image.inference_id,
    Body: Buffer.from(image.image_data, 'base64'),
  });
  let body: Uint8Array | undefined;
  const started = performance.now();
  try {
    body = (await deps.runtime.send(command)).Body;
  } catch (error) {
    throw mapInvokeError(error, deps.endpointName);
  }
  const modelLatencyMs = Math.round((performance.now() - started) * 1000) / 1000;
  return {
    classification: toClassification(image, parseInferences(body, deps.endpointName)),
    modelLatencyMs,
  };
}
