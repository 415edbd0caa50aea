/**
 * Shapes of the local S3: the server's options and handle, its object notifications, a parsed
 * request and what every operation is given (S3Context).
 */
import type { IncomingMessage } from 'node:http';
import type { Worker } from 'node:worker_threads';
import type { Route, ServerLimits } from '../gateway/index.ts';
import type { StoreFileSystem } from './store/files.ts';
import type { ObjectStore } from './store/store.ts';
import type { UploadStore } from './store/uploads.ts';

// The server (server.ts)

export interface LocalS3Options {
  /** Folder holding the data; reused across restarts. Default: a fresh temporary folder, removed by stop(). */
  directory?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Buckets created at start when missing. */
  buckets?: string[];
  /** Largest PUT body or part; default 5 GiB, as S3. */
  maxObjectBytes?: number;
  /** Header/idle timeouts and header count (gateway/hardening.ts defaults). */
  limits?: Partial<ServerLimits>;
  /** The file-system calls the store writes through; tests put failing ones here. */
  fileSystem?: StoreFileSystem;
  /** Takes every notification before its request is answered (functions/s3-thread-worker.ts: to the main thread). */
  handOffNotifications?: NotificationHandOff;
}

export interface LocalS3 {
  /** Base URL for `AWS_ENDPOINT_URL_S3`, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  directory: string;
  /** One event per object created or deleted, after the change is visible (the embedded S3 events). */
  notifications: ObjectNotifications;
  /** The worker thread serving it, when it runs in one (functions/s3-thread.ts): CPU figures read it. */
  thread?: Worker;
  stop(): Promise<void>;
}

/** The service without a port (service.ts): what a gateway serves. */
export type S3ServiceOptions = Pick<
  LocalS3Options,
  'buckets' | 'maxObjectBytes' | 'fileSystem' | 'handOffNotifications'
> & {
  /** Folder holding the data. */
  directory: string;
};

export interface S3Service {
  directory: string;
  notifications: ObjectNotifications;
  /** S3 on a gateway: signed for `s3`, or whatever no other route recognised. */
  route: Route;
}

// Object notifications (notifications.ts)

export type ObjectEventReason =
  | 'PutObject'
  | 'CopyObject'
  | 'CompleteMultipartUpload'
  | 'DeleteObject'
  | 'DeleteObjects';

export interface ObjectNotification {
  kind: 'ObjectCreated' | 'ObjectDeleted';
  reason: ObjectEventReason;
  bucket: string;
  key: string;
  /** ObjectCreated only. */
  size?: number;
  /** ObjectCreated only, without quotes (the `-N` multipart form for multipart uploads). */
  etag?: string;
  /**
   * Hex string; for one key it increases with every event, as S3's does (compare as strings: all
   * sequencers of one server have the same length).
   */
  sequencer: string;
  /** The request's `x-amz-request-id`. */
  requestId: string;
  /** The requester's address. */
  sourceIp: string;
  time: Date;
}

export interface ObjectNotifications {
  /** Calls `listener` for every later event; the returned function unsubscribes. */
  subscribe(listener: (notification: ObjectNotification) => void): () => void;
}

export type ObjectChange = Omit<ObjectNotification, 'sequencer' | 'time'>;

/**
 * Takes each notification before the request that caused it is answered, and holds the answer
 * until it resolves: a server in a worker thread (s3-thread.ts) hands every notification to the
 * main thread this way, so a client holding its PUT's response can count on the main thread's
 * subscribers having seen the event, exactly as with a server in its own thread.
 */
export type NotificationHandOff = (notification: ObjectNotification) => Promise<void>;

/** Where operations announce the changes they made (the server's ObjectNotificationHub). */
export interface ObjectChangeSink {
  /** Resolves once every subscriber (and a hand-off to another thread) took the change. */
  emit(change: ObjectChange): Promise<void> | undefined;
}

// Requests and operations (protocol/http.ts, handler.ts, operations/)

export interface S3Request {
  /** This request's `x-amz-request-id` (already set on the response). */
  id: string;
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: IncomingMessage;
}

export interface S3Context {
  store: ObjectStore;
  uploads: UploadStore;
  notifications: ObjectChangeSink;
  /** Largest PUT body or part (S3: 5 GiB). */
  maxObjectBytes: number;
}
