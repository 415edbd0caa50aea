export { invokeHere, lambdaContext, lambdaErrorCause } from './invoke.ts';
export {
  type LogIngest,
  lambdaLogGroupName,
  lambdaLogShipper,
  lambdaLogStreamName,
  type ShippedLogEvent,
} from './lambda-log-streams.ts';
export { placeFunctions } from './placement.ts';
export { newRunId, openRunLog, runLogDir } from './run-log.ts';
export { startLocalS3Thread, startLocalS3Threaded } from './s3-thread-loader.ts';
export type * from './types.ts';
export { REPO_HANDLER_MODULES, wireHandler, wireHandlers } from './wiring.ts';
