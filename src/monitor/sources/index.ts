export { readCapturedInferences } from './captured-inferences.ts';
export { readCloudWatchMetrics } from './cloudwatch-metrics.ts';
export { collect } from './collect.ts';
export {
  type RetrainingHistoryOptions,
  rolloutFromHistory,
  sdkRetrainingHistory,
} from './retraining-history.ts';
export type {
  CapturedInference,
  CloudWatchSource,
  Collected,
  InferencePoint,
  MonitorSources,
} from './types.ts';
