export { ObjectNotificationHub } from './notifications.ts';
export { S3Error, s3Errors } from './protocol/errors.ts';
export { sendError } from './protocol/http.ts';
export { startLocalS3 } from './server.ts';
export { openS3Service } from './service.ts';
export {
  BLOCKING_FILE_SYSTEM,
  NODE_FILE_SYSTEM,
  type StoreFileSystem,
  type WritableFile,
} from './store/files.ts';
// The store's own parts, for the tests that check them directly.
export { compareKeys, fileNameForKey } from './store/keys.ts';
export { listKeys } from './store/list.ts';
export { ObjectStore } from './store/store.ts';
export type * from './types.ts';
