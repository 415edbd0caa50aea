export { BatchedAppender } from './batched-appender.ts';
export { DEFAULT_DATA_DIR } from './data-dir.ts';
export { type DispatchErrors, dispatchAction, type Operation } from './dispatch.ts';
export { LOCAL_ACCOUNT } from './local-account.ts';
export { ServiceError } from './service-error.ts';
export { TaskError } from './task-error.ts';
