/** What the training step finds and returns: the job's attempts and the model it leads to. */
import type { PromotionAction } from '../types.ts';

export interface TrainingOutcome {
  action: PromotionAction;
  jobName: string;
  /** s3://.../model.tar.gz of the trained (or best tuned) model; undefined in plan mode until trained. */
  modelDataUrl?: string;
}

export interface JobAttempt {
  name: string;
  arn: string;
  status: string;
}

export interface AttemptChoice {
  /** The job to reuse (Completed) or wait for (InProgress, Stopping); undefined: create `name`. */
  existing?: JobAttempt;
  name: string;
  /** Earlier attempts that cannot be reused, e.g. "job Failed, job-2 Stopped". */
  failed?: string;
}
