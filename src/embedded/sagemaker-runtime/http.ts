/**
 * HTTP plumbing of the local endpoint: bounded body reads and the answer shapes (restJson1 errors,
 * SageMaker Runtime's ModelError, plain text for the container contract).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The body, or `undefined` as soon as it is known to exceed `limit` bytes: from Content-Length
 * before anything is read, or when the bytes read pass it. Nothing past the limit is buffered;
 * the caller answers with `close: true`, which ends the connection instead of reading the rest.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(request.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      request.pause();
      settle(() => resolve(undefined));
    };
    const onEnd = () =>
      settle(() => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    const onError = (error: Error) => settle(() => reject(error));
    const onClose = () => settle(() => reject(new Error('the client closed the connection mid-request')));
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

export interface AnswerOptions {
  errorType?: string;
  /** End the connection after this answer (the rest of an oversized body is not read). */
  close?: boolean;
  /** `x-amzn-RequestId` (default: a new one). */
  requestId?: string;
}

/** restJson1 errors: the SDK reads the type from `x-amzn-ErrorType` and the fields from the body. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  options: AnswerOptions | string = {},
): void {
  const { errorType, close, requestId } = typeof options === 'string' ? { errorType: options } : options;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': requestId ?? randomUUID(),
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
    ...(close ? { Connection: 'close' } : {}),
  });
  response.end(text);
}

export function sendText(response: ServerResponse, status: number, text: string, close = false): void {
  response.writeHead(status, {
    'Content-Type': 'text/plain',
    'Content-Length': Buffer.byteLength(text),
    ...(close ? { Connection: 'close' } : {}),
  });
  response.end(text);
}

export interface ModelErrorContext {
  endpointName: string;
  region: string;
  accountId: string;
}

/** As SageMaker Runtime words a container error: ModelError 424 carrying the original answer. */
export function sendModelError(
  response: ServerResponse,
  { endpointName, region, accountId }: ModelErrorContext,
  originalStatus: number,
  originalMessage: string,
): void {
  const kind = originalStatus >= 500 ? 'server' : 'client';
  const logGroup = `/aws/sagemaker/Endpoints/${endpointName}`;
  const message =
    `Received ${kind} error (${originalStatus}) from primary with message "${originalMessage}". ` +
    `See https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logEventViewer:group=${logGroup} ` +
    `in account ${accountId} for more information.`;
  const body = {
    ErrorCode: kind === 'server' ? 'SERVER_ERROR_FROM_MODEL' : 'CLIENT_ERROR_FROM_MODEL',
    LogStreamArn: `arn:aws:logs:${region}:${accountId}:log-group:${logGroup}`,
    Message: message,
    OriginalMessage: originalMessage,
    OriginalStatusCode: originalStatus,
  };
  sendJson(response, 424, body, 'ModelError');
}
