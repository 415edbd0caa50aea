export { BatchedAppender } from './batched-appender.ts';
export { DEFAULT_DATA_DIR } from './data-dir.ts';
export { TaskError } from './task-error.ts';
