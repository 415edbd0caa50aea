/**
 * CloudWatch on the gateway, signed for `monitoring`, in the two protocols its current SDKs speak:
 * - AWS JSON 1.0 (`@aws-sdk/client-cloudwatch`): `POST /`, `X-Amz-Target:
 *   GraniteServiceVersion20100801.<Action>`, JSON bodies, timestamps as epoch seconds;
 * - Smithy RPC v2 CBOR (botocore, so boto3 and aws-cli): `POST
 *   /service/GraniteServiceVersion20100801/operation/<Action>`, CBOR bodies (`cbor.ts`),
 *   timestamps as tag 1, `smithy-protocol: rpc-v2-cbor` on every answer.
 * The model is `awsQueryCompatible`, so an error is the protocol's envelope (`__type`, `message`)
 * plus `x-amzn-query-error: <Query code>;Sender`, from which the SDKs take the code the Query
 * protocol used (`InvalidParameterValue`, `ResourceNotFound`...). A body that does not parse is a
 * SerializationException; one over the limit is refused before it is read whole, and the
 * connection closed. A gzip body (`Content-Encoding: gzip`, PutMetricData's request compression)
 * is inflated within a bound. The Query protocol (`Action=...`, XML) is not served; such a request is told so.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { type Route, readBody, writeAnswer } from '../gateway/index.ts';
import { decodeCbor, encodeCbor } from './cbor.ts';
import {
  CloudWatchError,
  InternalServiceFault,
  RequestEntityTooLargeException,
  SerializationException,
  UnknownOperationException,
} from './errors.ts';
import type { CloudWatchService } from './types.ts';

export const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const CBOR_PATH = /^\/service\/GraniteServiceVersion20100801\/operation\/([A-Za-z0-9]+)$/;
/** PutMetricData takes up to 1 MB; GetMetricData's 500 queries fit well under this. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/**
 * What a gzip body may inflate to: both SDKs gzip PutMetricData bodies of 10 KB and more
 * (`Content-Encoding: gzip`, the operation's `requestCompression` trait); a body inflating past
 * this (a gzip bomb) is refused as too large.
 */
export const MAX_INFLATED_BYTES = 8 * MAX_REQUEST_BYTES;

/** How one protocol reads a body and writes an answer. */
interface Wire {
  name: string;
  contentType: string;
  headers: Record<string, string>;
  decode(body: Buffer): unknown;
  encode(value: unknown): Buffer;
}

const JSON_WIRE: Wire = {
  name: 'JSON',
  contentType: 'application/x-amz-json-1.0',
  headers: {},
  decode: (body) => JSON.parse(body.toString('utf8')),
  encode: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
};

const CBOR_WIRE: Wire = {
  name: 'CBOR',
  contentType: 'application/cbor',
  headers: { 'smithy-protocol': 'rpc-v2-cbor' },
  decode: decodeCbor,
  encode: (value) => encodeCbor(value),
};

function answer(
  response: ServerResponse,
  wire: Wire,
  status: number,
  body: unknown,
  extra: Record<string, string>,
): void {
  const bytes = wire.encode(body);
  writeAnswer(response, {
    status,
    headers: {
      'Content-Type': wire.contentType,
      'Content-Length': bytes.length,
      ...wire.headers,
      ...extra,
    },
    body: bytes,
  });
}

function answerError(
  response: ServerResponse,
  wire: Wire,
  error: CloudWatchError,
  requestId: string,
  close = false,
): void {
  answer(
    response,
    wire,
    error.status,
    { __type: error.code, message: error.message },
    {
      'x-amzn-RequestId': requestId,
      'x-amzn-query-error': `${error.queryCode};${error.fault}`,
      ...(close ? { Connection: 'close' } : {}),
    },
  );
}

const asCloudWatchError = (error: unknown) =>
  error instanceof CloudWatchError
    ? error
    : new InternalServiceFault(`The local CloudWatch failed: ${(error as Error).message}`);

/** The protocol and action of a request, or undefined when it is in neither protocol served. */
function recognise(request: IncomingMessage): { wire: Wire; action: string } | undefined {
  if (request.method !== 'POST') return undefined;
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith(TARGET_PREFIX))
    return { wire: JSON_WIRE, action: target.slice(TARGET_PREFIX.length) };
  const match = CBOR_PATH.exec((request.url ?? '/').split('?')[0] as string);
  return match ? { wire: CBOR_WIRE, action: match[1] as string } : undefined;
}

export function cloudWatchRoute(service: CloudWatchService): Route {
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const recognised = recognise(request);
    if (!recognised) {
      request.resume();
      const message =
        `${request.method} ${request.url} (X-Amz-Target ${String(request.headers['x-amz-target'])}): the local CloudWatch serves ` +
        `AWS JSON 1.0 (POST / with X-Amz-Target ${TARGET_PREFIX}<Action>) and Smithy RPC v2 CBOR ` +
        '(POST /service/GraniteServiceVersion20100801/operation/<Action>), not the Query protocol';
      return answerError(response, JSON_WIRE, new UnknownOperationException(message), requestId, true);
    }
    const { wire, action } = recognised;
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (body === undefined)
      return answerError(
        response,
        wire,
        new RequestEntityTooLargeException(MAX_REQUEST_BYTES),
        requestId,
        true,
      );
    let input: unknown = {};
    let bytes = body;
    if (/\bgzip\b/i.test(String(request.headers['content-encoding'] ?? ''))) {
      try {
        bytes = gunzipSync(body, { maxOutputLength: MAX_INFLATED_BYTES });
      } catch (error) {
        if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
          return answerError(
            response,
            wire,
            new RequestEntityTooLargeException(MAX_INFLATED_BYTES),
            requestId,
            true,
          );
        const message = `The request body is not gzip: ${(error as Error).message}`;
        return answerError(response, wire, new SerializationException(message), requestId);
      }
    }
    if (bytes.length > 0) {
      try {
        input = wire.decode(bytes);
      } catch (error) {
        const message = `The request body is not ${wire.name}: ${(error as Error).message}`;
        return answerError(response, wire, new SerializationException(message), requestId);
      }
    }
    let output: unknown;
    try {
      output = await service.call(action, input);
    } catch (error) {
      return answerError(response, wire, asCloudWatchError(error), requestId);
    }
    answer(response, wire, 200, output ?? {}, { 'x-amzn-RequestId': requestId });
  }
  return {
    name: 'cloudwatch',
    signingName: 'monitoring',
    targetPrefix: TARGET_PREFIX,
    // Unsigned RPC v2 CBOR requests (curl) carry no target: their path names the service.
    matchesPath: (path, method) => method === 'POST' && CBOR_PATH.test(path),
    handle,
    answerError: (error, _request, response) =>
      answerError(response, JSON_WIRE, asCloudWatchError(error), randomUUID(), true),
  };
}
