/**
 * The local S3 (s3/) in a worker thread (server-thread.ts): the same server, data folder
 * and behaviour, with its request handling off the engine's thread. The thread can also host the
 * functions that read from it (thread-functions.ts: the serialize function), so their S3 calls are
 * answered in the thread that makes them.
 *
 * Each object notification is handed to the main thread before the request that caused it is
 * answered (sequencer and time as the server assigned them), so subscribers there (the embedded
 * trigger) see events exactly as from a server in their own thread: a client holding its PUT's
 * response knows the event is in. A hand-off is a round trip between the threads, so it is made
 * only while the main thread has a subscriber: the worker reads their count from shared memory,
 * set before `subscribe` returns, so no event a subscriber is owed is skipped.
 *
 * Options that are functions (`fileSystem`, `handOffNotifications`) cannot cross threads: a server
 * that needs them runs in the main thread (startLocalS3).
 */

import {
  type LocalS3,
  type LocalS3Options,
  type ObjectNotification,
  ObjectNotificationHub,
  type ObjectNotifications,
  startLocalS3,
} from '../s3/index.ts';
import { startServerThread } from './server-thread.ts';
import { hostFunctions } from './thread-functions.ts';
import type {
  FunctionCall,
  S3ThreadData,
  ThreadedLocalS3,
  ThreadedS3Options,
  ThreadedS3Ready,
} from './types.ts';

export async function startLocalS3Thread(options: ThreadedS3Options = {}): Promise<ThreadedLocalS3> {
  const hub = new ObjectNotificationHub();
  const mainSubscribers = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const thread = await startServerThread<ThreadedS3Ready>(
    new URL('./s3-thread-worker.ts', import.meta.url),
    { options, mainSubscribers } satisfies S3ThreadData,
    'local S3',
    (notification) => hub.deliver(notification as ObjectNotification),
  );
  return {
    endpoint: thread.ready.endpoint,
    directory: thread.ready.directory,
    notifications: countedSubscriptions(hub, mainSubscribers),
    thread: thread.worker,
    hostFunctions: (functions) => hostFunctions((call: FunctionCall) => thread.call(call), functions),
    stop: () => thread.stop(),
  };
}

/** The hub's subscriptions, counted where the worker reads them before each hand-off. */
function countedSubscriptions(hub: ObjectNotificationHub, count: Int32Array): ObjectNotifications {
  return {
    subscribe(listener) {
      Atomics.add(count, 0, 1);
      const unsubscribe = hub.subscribe(listener);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        unsubscribe();
        Atomics.sub(count, 0, 1);
      };
    },
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
