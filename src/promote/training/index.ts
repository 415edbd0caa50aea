export { stageTrainingData } from './staging.ts';
export { ensureTrainingJob, ensureTuningJob } from './training.ts';
