/**
 * Worker entry of s3-thread.ts: the local S3, each notification handed to the main thread while
 * it has subscribers, and the functions the main thread asks it to host (host.ts).
 */

import { BLOCKING_FILE_SYSTEM, startLocalS3 } from '../s3/index.ts';
import { createFunctionHost, isFunctionCall } from './host.ts';
import { hostServer } from './server-thread-host.ts';
import type { S3ThreadData, ThreadedS3Ready } from './types.ts';

await hostServer<S3ThreadData>(async ({ options, mainSubscribers }, callMain) => {
  const localS3 = await startLocalS3({
    ...options,
    // This thread is the server's own: its file calls need no trip to the thread pool (s3/store/files.ts).
    fileSystem: BLOCKING_FILE_SYSTEM,
    // A round trip to the main thread, made only when a subscriber there is owed the event.
    handOffNotifications: async (notification) => {
      if (Atomics.load(mainSubscribers, 0) > 0) await callMain(notification);
    },
  });
  const functions = createFunctionHost();
  const ready: ThreadedS3Ready = { endpoint: localS3.endpoint, directory: localS3.directory };
  return {
    ready,
    onCall(value) {
      if (!isFunctionCall(value)) throw new Error('the local S3 thread takes function calls only');
      return functions.handle(value);
    },
    async stop() {
      functions.stop();
      await localS3.stop();
    },
  };
});
