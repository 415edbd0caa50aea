/**
 * The local S3 (s3/) in a worker thread (server-thread.ts): the same server, data folder
 * and behaviour, with its request handling off the engine's thread. The thread can also host the
 * functions that read from it (thread-functions.ts: the serialize function), so their S3 calls are
 * answered in the thread that makes them.
 *
 * Each object notification is handed to the main thread before the request that caused it is
 * answered (sequencer and time as the server assigned them), so subscribers there (the embedded
 * trigger) see events exactly as from a server in their own thread: a client holding its PUT's
 * response knows the event is in.
 *
 * Options that are functions (`fileSystem`, `handOffNotifications`) cannot cross threads: a server
 * that needs them runs in the main thread (startLocalS3).
 */

import {
  type LocalS3,
  type LocalS3Options,
  type ObjectNotification,
  ObjectNotificationHub,
  startLocalS3,
} from '../s3/index.ts';
import { startServerThread } from './server-thread.ts';
import { hostFunctions } from './thread-functions.ts';
import type { FunctionCall, ThreadedLocalS3, ThreadedS3Options, ThreadedS3Ready } from './types.ts';

export async function startLocalS3Thread(options: ThreadedS3Options = {}): Promise<ThreadedLocalS3> {
  const notifications = new ObjectNotificationHub();
  const thread = await startServerThread<ThreadedS3Ready>(
    new URL('./s3-thread-worker.ts', import.meta.url),
    options,
    'local S3',
    (notification) => notifications.deliver(notification as ObjectNotification),
  );
  return {
    endpoint: thread.ready.endpoint,
    directory: thread.ready.directory,
    notifications,
    thread: thread.worker,
    hostFunctions: (functions) => hostFunctions((call: FunctionCall) => thread.call(call), functions),
    stop: () => thread.stop(),
  };
}

/**
 * The local S3 in a worker thread when its options allow it (no function options), else in this
 * thread: what the embedded runtime starts.
 */
export function startLocalS3Threaded(options: LocalS3Options = {}): Promise<LocalS3 | ThreadedLocalS3> {
  const { fileSystem, handOffNotifications, ...plain } = options;
  if (fileSystem || handOffNotifications) return startLocalS3(options);
  return startLocalS3Thread(plain);
}
