export { BatchedAppender } from './batched-appender.ts';
export { DEFAULT_DATA_DIR } from './data-dir.ts';
export {
  type DispatchErrors,
  dispatchAction,
  type Operation,
  type OperationTable,
  operationTable,
} from './dispatch.ts';
export { readJournal } from './journal.ts';
export { LOCAL_ACCOUNT } from './local-account.ts';
export { ServiceError } from './service-error.ts';
export { TaskError } from './task-error.ts';
