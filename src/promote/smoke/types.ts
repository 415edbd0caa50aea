/** What the smoke execution ends with, for `promote` and the CLI. */
import type { PromotionAction } from '../types.ts';

/** Why a smoke execution did not succeed, as Step Functions records it. */
export interface SmokeFailure {
  /** FAILED, TIMED_OUT or ABORTED. */
  status: string;
  error?: string;
  cause?: string;
  /** The Task state whose failure ended the execution, when the history names one. */
  failedState?: string;
  executionArn: string;
  consoleUrl?: string;
}

export interface SmokeOutcome {
  action: PromotionAction;
  executionArn?: string;
  status?: string;
  /** The execution's output (a WorkflowResult) or its error and cause. */
  result?: unknown;
  /** Set when the execution ended other than SUCCEEDED. */
  failure?: SmokeFailure;
}
