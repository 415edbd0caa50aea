/**
 * What one execution of a state machine leaves behind, whichever engine ran it: the embedded
 * engine builds these records, the deploy and load code reads the same shape from Step Functions
 * (emulator, AWS), and the CLI, test cases and benches report them. Shapes only, so every side can
 * import them without depending on an engine.
 */

/** TIMED_OUT: the definition's TimeoutSeconds elapsed (Error `States.Timeout`). */
export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';

/** One entry of the execution history, as aws-local-stepfunctions reports it. */
export interface HistoryEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
  retry?: { attempt: number };
}

export interface ExecutionRecord {
  executionArn: string;
  name: string;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  /** For failed executions: the error name (e.g. ImageNotFound) and its cause. */
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate: Date;
  history: HistoryEvent[];
}
