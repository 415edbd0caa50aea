/**
 * CloudWatch on the gateway, in the protocol `@aws-sdk/client-cloudwatch` speaks: AWS JSON 1.0,
 * `POST /` with `X-Amz-Target: GraniteServiceVersion20100801.<Action>`, signed for `monitoring`.
 * The service model is `awsQueryCompatible`, so an error is the JSON envelope (`__type`,
 * `message`) plus `x-amzn-query-error: <Query code>;Sender`, from which the SDKs take the code
 * the Query protocol used (`InvalidParameterValue`, `ResourceNotFound`...). A body that is not
 * JSON is a SerializationException; one over the limit is refused before it is read whole, and the
 * connection closed. (botocore prefers Smithy RPC v2 CBOR for this service, and the Query
 * protocol is the older one: neither is served here, and a request in them is answered so.)
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonAnswer, type Route, readBody, writeAnswer } from '../gateway/index.ts';
import {
  CloudWatchError,
  InternalServiceFault,
  RequestEntityTooLargeException,
  SerializationException,
  UnknownOperationException,
} from './errors.ts';
import type { CloudWatchService } from './types.ts';

export const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
/** PutMetricData takes up to 1 MB; GetMetricData's 500 queries fit well under this. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.0';

function answerError(
  response: ServerResponse,
  error: CloudWatchError,
  requestId: string,
  close = false,
): void {
  const answer = jsonAnswer(
    error.status,
    { __type: error.code, message: error.message },
    { contentType: CONTENT_TYPE, requestId, close },
  );
  answer.headers['x-amzn-query-error'] = `${error.queryCode};${error.fault}`;
  writeAnswer(response, answer);
}

const asCloudWatchError = (error: unknown) =>
  error instanceof CloudWatchError
    ? error
    : new InternalServiceFault(`The local CloudWatch failed: ${(error as Error).message}`);

export function cloudWatchRoute(service: CloudWatchService): Route {
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const target = request.headers['x-amz-target'];
    if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
      request.resume();
      return answerError(
        response,
        new UnknownOperationException(
          `${request.method} ${request.url} (X-Amz-Target ${String(target)}): the local CloudWatch serves AWS JSON 1.0, POST / with X-Amz-Target ${TARGET_PREFIX}<Action>`,
        ),
        requestId,
        true,
      );
    }
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (body === undefined)
      return answerError(response, new RequestEntityTooLargeException(MAX_REQUEST_BYTES), requestId, true);
    let input: unknown = {};
    if (body.length > 0) {
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch (error) {
        return answerError(
          response,
          new SerializationException(`The request body is not JSON: ${(error as Error).message}`),
          requestId,
        );
      }
    }
    let output: unknown;
    try {
      output = await service.call(target.slice(TARGET_PREFIX.length), input);
    } catch (error) {
      return answerError(response, asCloudWatchError(error), requestId);
    }
    writeAnswer(response, jsonAnswer(200, output ?? {}, { contentType: CONTENT_TYPE, requestId }));
  }
  return {
    name: 'cloudwatch',
    signingName: 'monitoring',
    targetPrefix: TARGET_PREFIX,
    handle,
    answerError: (error, _request, response) =>
      answerError(response, asCloudWatchError(error), randomUUID(), true),
  };
}
