/**
 * STS on the gateway, in the AWS Query protocol its SDK clients speak: parameters as a form body
 * (`Action=GetCallerIdentity&Version=2011-06-15`) or a query string, signed for `sts`; answers in
 * XML (`<GetCallerIdentityResponse>`), errors as `<ErrorResponse><Error><Type/><Code/><Message/>`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Route, readBody, writeAnswer } from '../gateway/index.ts';
import { InternalFailure, MalformedQueryString, StsError } from './errors.ts';
import type { StsService } from './types.ts';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** Far above any STS request (policies of a few KB); small enough to hurt nothing. */
const MAX_REQUEST_BYTES = 64 * 1024;

const escapeXml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );

function sendXml(
  response: ServerResponse,
  status: number,
  xml: string,
  requestId: string,
  close = false,
): void {
  writeAnswer(response, {
    status,
    headers: {
      'Content-Type': 'text/xml',
      'Content-Length': Buffer.byteLength(xml),
      'x-amzn-RequestId': requestId,
      ...(close ? { Connection: 'close' } : {}),
    },
    body: xml,
  });
}

function sendError(response: ServerResponse, error: StsError, requestId: string, close = false): void {
  const xml =
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${error.type}</Type><Code>${error.code}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  sendXml(response, error.status, xml, requestId, close);
}

function resultXml(action: string, result: Record<string, string>, requestId: string): string {
  const members = Object.entries(result)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  return (
    `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${members}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function stsRoute(service: StsService): Route {
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (body === undefined)
      return sendError(
        response,
        new MalformedQueryString(`The request is over ${MAX_REQUEST_BYTES} bytes.`),
        requestId,
        true,
      );
    const query = (request.url ?? '/').split('?')[1] ?? '';
    const parameters = Object.fromEntries([
      ...new URLSearchParams(query),
      ...new URLSearchParams(body.toString('utf8')),
    ]);
    try {
      const action = parameters.Action ?? '';
      const result = service.call(action, parameters);
      sendXml(response, 200, resultXml(action, { ...result }, requestId), requestId);
    } catch (error) {
      sendError(response, error instanceof StsError ? error : new InternalFailure(String(error)), requestId);
    }
  }
  return {
    name: 'sts',
    signingName: 'sts',
    handle,
    answerError: (error, _request, response) =>
      sendError(response, new InternalFailure(String(error)), randomUUID(), true),
  };
}
