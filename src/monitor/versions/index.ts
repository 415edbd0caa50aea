export {
  accuracy,
  attributeInferences,
  meanConfidence,
  periodAt,
  periodKey,
  rolloutKey,
  VersionTally,
} from './attribution.ts';
export { summarizeVersions, versionsNotShown } from './summary.ts';
export { modelVersionLines } from './text.ts';
export { buildTimeline, ORIGINAL, versionOfArn } from './timeline.ts';
export type {
  AttributedInference,
  ModelVersion,
  ModelVersionsReport,
  RegistryEntry,
  RetrainingExecution,
  RetrainingHistory,
  RetrainingHistorySource,
  RetrainingOutcome,
  RolloutRow,
  RolloutStartSource,
  RolloutTimeline,
  RolloutWindow,
  ServingPeriod,
  TimelineEvent,
  TimelinePeriod,
  VersionFigures,
  VersionRow,
} from './types.ts';
