export { TARGET_STEPS, type TargetSteps } from './by-target.ts';
export { deployWorkflow, ensureBundles, ensureDataBucket, ensureSageMakerRole } from './workflow.ts';
