/** Reading a request body whole, within a limit (the JSON APIs and the endpoint's payloads). */
import type { IncomingMessage } from 'node:http';

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
