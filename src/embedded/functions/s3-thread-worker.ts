/**
 * Worker entry of s3-thread.ts: the local S3, each notification handed to the main thread, and
 * the functions the main thread asks it to host (host.ts).
 */

import { startLocalS3 } from '../s3/index.ts';
import { createFunctionHost, isFunctionCall } from './host.ts';
import { hostServer } from './server-thread-host.ts';
import type { ThreadedS3Options, ThreadedS3Ready } from './types.ts';

await hostServer<ThreadedS3Options>(async (options, callMain) => {
  const localS3 = await startLocalS3({
    ...options,
    handOffNotifications: async (notification) => {
      await callMain(notification);
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
