/**
 * A failed Task as the Step Functions interpreter sees it: `name` is the Error a Retry or Catch
 * matches, `message` the Cause. Both sides of a Task raise it: the functions' runtime
 * (functions/: a function error, a lost thread) and the engine's integrations (stepfunctions/).
 */
export class TaskError extends Error {
  /** Read by aws-local-stepfunctions: terminal errors skip Retry and Catch, as on AWS. */
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;

  constructor(name: string, cause: string, terminal = false) {
    super(cause);
    this.name = name;
    this.isRetryable = !terminal;
    this.isCatchable = !terminal;
  }
}
