/**
 * Errors of the batch state machine's SummarizeBatch Lambda (statemachine/image-batch.asl.json).
 * Kept apart from errors.ts, whose names are the per-image workflow's API (every one of them has a
 * state-machine test case); these can only end a batch, never an image's classification.
 */
import { WorkflowError } from './errors.ts';

/** SummarizeBatch found no ResultWriter manifest where the batch's results should be. */
export class BatchResultsNotFound extends WorkflowError {
  override name = 'BatchResultsNotFound';
}

/** A ResultWriter manifest or result file is not what Step Functions writes (not JSON, wrong shape). */
export class InvalidBatchResults extends WorkflowError {
  override name = 'InvalidBatchResults';
}
