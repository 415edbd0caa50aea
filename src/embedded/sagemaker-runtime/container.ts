/**
 * The container side of the local endpoint: what the built-in image-classification algorithm's
 * container answers for one request (`POST /invocations`), over a pluggable `Predictor`. Image
 * content types in; a JSON list, or JSON Lines when asked, out; 415 / 406 for what it does not
 * take or give; the predictor's input errors with their own status, its failures as 500.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ModelInputError, type Predictor } from '../../workflow/predictor.ts';
import type { ContainerAnswer } from './types.ts';

const IMAGE_CONTENT_TYPES = new Set(['image/png', 'image/jpeg', 'application/x-image']);

export async function runContainer(
  predictor: Predictor,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<ContainerAnswer> {
  const contentType = (headers['content-type'] ?? 'application/octet-stream').split(';')[0]?.trim() ?? '';
  if (!IMAGE_CONTENT_TYPES.has(contentType.toLowerCase())) {
    return textAnswer(415, `Content type ${contentType} is not supported by this algorithm.`);
  }
  const accept = (headers['x-amzn-sagemaker-accept'] ?? headers.accept ?? 'application/json')
    .toString()
    .toLowerCase();
  const wantsJsonLines = accept.includes('application/jsonlines');
  if (!wantsJsonLines && !accept.includes('application/json') && !accept.includes('*/*')) {
    return textAnswer(406, `Accept type ${accept} is not supported by this algorithm.`);
  }
  let probabilities: number[];
  try {
    probabilities = await predictor.predict(body, contentType);
  } catch (error) {
    if (error instanceof ModelInputError) return textAnswer(error.statusCode, error.message);
    return textAnswer(500, `Inference failed: ${(error as Error).message}`);
  }
  // Only the shape is checked: odd numbers pass as given (NaN serializes as null), so tests can
  // stage malformed answers for the classify Lambda to refuse.
  if (!Array.isArray(probabilities)) {
    return textAnswer(
      500,
      `Inference failed: the predictor returned ${JSON.stringify(probabilities)}, not a list`,
    );
  }
  return wantsJsonLines
    ? jsonAnswer('application/jsonlines', `${JSON.stringify({ prediction: probabilities })}\n`)
    : jsonAnswer('application/json', JSON.stringify(probabilities));
}

function textAnswer(status: number, message: string): ContainerAnswer {
  return { status, contentType: 'text/plain', body: Buffer.from(message) };
}

function jsonAnswer(contentType: string, text: string): ContainerAnswer {
  return { status: 200, contentType, body: Buffer.from(text) };
}
