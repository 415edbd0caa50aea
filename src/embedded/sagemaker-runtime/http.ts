/**
 * The local endpoint's answer shapes: restJson1 errors, SageMaker Runtime's ModelError, plain text
 * for the container contract.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

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
