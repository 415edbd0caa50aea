/** Errors the retraining Lambdas throw (the `errorType` Step Functions matches; keep names stable). */
import { WorkflowError } from './errors.ts';

/** The staged dataset (or a manifest in it) is missing or unreadable. */
export class TrainingDataNotFound extends WorkflowError {
  override name = 'TrainingDataNotFound';
}

/** The evaluation set or a model to score cannot be read. */
export class EvaluationInputNotFound extends WorkflowError {
  override name = 'EvaluationInputNotFound';
}
