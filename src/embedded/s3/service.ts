/**
 * The local S3 apart from any port: the store loaded from its folder, the multipart uploads in
 * progress, the object notifications, and the gateway route that serves them (recognised by the
 * `s3` credential scope, and the fallback of a gateway: in path-style REST any path is a bucket or
 * a key). server.ts puts it on a port of its own; a running stack puts it on the one port it
 * shares with its other services.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Route, writeAnswer } from '../gateway/index.ts';
import { handleS3Request } from './handler.ts';
import { ObjectNotificationHub } from './notifications.ts';
import { S3Error, s3Errors } from './protocol/errors.ts';
import { errorAnswer, newRequestId, parseRequest } from './protocol/http.ts';
import { ObjectStore } from './store/store.ts';
import { UploadStore } from './store/uploads.ts';
import type { S3Context, S3Service, S3ServiceOptions } from './types.ts';

/** S3's largest single PUT and largest part. */
const MAX_OBJECT_BYTES = 5 * 1024 ** 3;
/** A rejected request's unread body up to this size is read and dropped to keep the connection. */
const MAX_DRAINED_BYTES = 1 << 20;

export async function openS3Service(options: S3ServiceOptions): Promise<S3Service> {
  const store = new ObjectStore(options.directory, options.fileSystem);
  await store.load();
  const uploads = new UploadStore(store);
  await uploads.load();
  for (const bucket of options.buckets ?? []) {
    if (!store.buckets.has(bucket)) await store.createBucket(bucket);
  }
  const notifications = new ObjectNotificationHub(options.handOffNotifications);
  const context: S3Context = {
    store,
    uploads,
    notifications,
    maxObjectBytes: options.maxObjectBytes ?? MAX_OBJECT_BYTES,
  };
  const route: Route = {
    name: 's3',
    signingName: 's3',
    fallback: true,
    handle(raw, response) {
      const id = newRequestId();
      response.setHeader('x-amz-request-id', id);
      response.setHeader('x-amz-id-2', id);
      const answer = handleS3Request(context, parseRequest(raw, id));
      if (answer instanceof Promise) return answer.then((value) => writeAnswer(response, value));
      return writeAnswer(response, answer);
    },
    answerError,
  };
  return { directory: options.directory, notifications, route };
}

/**
 * S3's error document for any failure; anything not an S3Error (a full disk, a failed rename) is
 * InternalError 500. A body the client is still sending is dropped: read to the end when small,
 * else the connection is closed after the answer (EntityTooLarge, a rejected 5 GB part).
 */
function answerError(error: unknown, raw: IncomingMessage, response: ServerResponse) {
  const s3Error =
    error instanceof S3Error ? error : s3Errors.internalError((error as Error)?.message ?? String(error));
  const declared = Number(raw.headers['content-length'] ?? Number.NaN);
  const drain = !raw.complete && !raw.destroyed && declared <= MAX_DRAINED_BYTES;
  const close = !raw.complete && !drain;
  writeAnswer(response, errorAnswer(raw, s3Error, requestIdOf(response), close));
  if (drain) raw.resume();
}

/** The id the route gave the request (every S3 answer carries it), or a new one. */
function requestIdOf(response: ServerResponse): string {
  return String(response.getHeader('x-amz-request-id') ?? newRequestId());
}
