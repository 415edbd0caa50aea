export { TARGET_STEPS, type TargetSteps } from './by-target.ts';
export { SAGEMAKER_TRUST_POLICY, sagemakerExecutionPolicy } from './sagemaker-role.ts';
export { deployWorkflow, ensureBundles, ensureDataBucket, ensureSageMakerRole } from './workflow.ts';
