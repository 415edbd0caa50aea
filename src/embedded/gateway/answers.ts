/**
 * Answers as values, and the one place that writes them to HTTP: a service decides what to answer
 * (status, headers, a body that is bytes, text, a stream or nothing), the gateway's writer sends
 * it. The JSON envelope the AWS JSON and restJson1 services share is built here too: the SDKs read
 * the error type from `x-amzn-ErrorType` (restJson1) or the body's `__type` (JSON 1.0), and every
 * answer carries an `x-amzn-RequestId`.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Answer, AnswerOptions } from './types.ts';

/** Sends an answer; resolves once a streamed body is sent (at once for the others). */
export function writeAnswer(response: ServerResponse, answer: Answer): Promise<void> | undefined {
  response.writeHead(answer.status, answer.headers);
  const { body } = answer;
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
    response.end(body);
    return undefined;
  }
  return pipeline(body, response);
}

/** A JSON answer with the AWS JSON services' headers (`options` as a string: the error type). */
export function jsonAnswer(status: number, body: unknown, options: AnswerOptions | string = {}): Answer {
  const { errorType, close, requestId, contentType } =
    typeof options === 'string' ? { errorType: options } : options;
  const text = JSON.stringify(body);
  return {
    status,
    headers: {
      'Content-Type': contentType ?? 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': requestId ?? randomUUID(),
      ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
      ...(close ? { Connection: 'close' } : {}),
    },
    body: text,
  };
}

/** A plain-text answer (the container contract's errors). */
export function textAnswer(status: number, text: string, close = false): Answer {
  return {
    status,
    headers: {
      'Content-Type': 'text/plain',
      'Content-Length': Buffer.byteLength(text),
      ...(close ? { Connection: 'close' } : {}),
    },
    body: text,
  };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  options: AnswerOptions | string = {},
): void {
  writeAnswer(response, jsonAnswer(status, body, options));
}

export function sendText(response: ServerResponse, status: number, text: string, close = false): void {
  writeAnswer(response, textAnswer(status, text, close));
}
