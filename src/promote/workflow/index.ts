export { deployWorkflow, ensureBundles, ensureDataBucket, ensureSageMakerRole } from './workflow.ts';
