export * from './errors.ts';
export { previousTarget, rollback } from './rollback.ts';
export { deploy, findVersion, ROLLOUT_DEFAULTS, rollout } from './rollout.ts';
export { isoTime, sdkCloudWatchApi, sdkSageMakerApi } from './sdk-api.ts';
export { servingOf } from './serving.ts';
export type * from './types.ts';
export { describeRegistry, listVersions, METADATA } from './versions.ts';
