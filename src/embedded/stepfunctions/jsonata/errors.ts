/**
 * The errors a JSONata state raises where Step Functions does (developer guide, "Transforming data
 * with JSONata" and "Passing data between states with variables"). They extend the engine's own
 * RuntimeError, so `Retry` and `Catch` match them by name like any other.
 */
import { engineInternals } from './library.ts';

const { RuntimeError } = engineInternals();

/**
 * An expression that throws, returns nothing where a value is needed, or returns the wrong type:
 * `States.QueryEvaluationError`, its Cause naming the state, the expression and the field, as AWS
 * words it ("The JSONata expression '...' specified for the field 'Arguments/x' returned nothing
 * (undefined).").
 */
export class QueryEvaluationError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'States.QueryEvaluationError';
  }
}

/** A QueryEvaluationError of a state, its Cause opened as AWS opens it. */
export const stateQueryError = (stateName: string, detail: string) =>
  new QueryEvaluationError(`An error occurred while executing the state '${stateName}'. ${detail}`);

/** A variable or an Assign over its size limit: `States.Runtime`, which no Retry or Catch handles. */
export class VariableLimitError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
    this.retryable = false;
    this.catchable = false;
  }
}
