/** Shapes of the local Step Functions API: what it serves, and where from. */
import type { ExecutionRegistry } from '../execution-registry.ts';
import type { StartedExecution } from '../types.ts';

/** A state machine the API serves. */
export interface SfnApiStateMachine {
  stateMachineArn: string;
  name: string;
  /** The substituted ASL, as DescribeStateMachine returns it. */
  definition: string;
  roleArn: string;
  creationDate: Date;
  /** StartExecution (the engine's, with StartExecution's naming rule for Standard workflows). */
  start(input: unknown, name?: string): StartedExecution;
  /** Its executions: names are unique per state machine, as on AWS. */
  executions: ExecutionRegistry;
}

export interface SfnApiHost {
  /** Asked at every request: `scones up --watch` swaps definitions while it runs. */
  stateMachines(): readonly SfnApiStateMachine[];
  /** Where an execution that could not run is reported (default stderr). */
  log?: (message: string) => void;
}
