/** Shapes of the local Step Functions API: what it serves, and where from. */
import type { ExecutionRegistry } from '../execution-registry.ts';
import type { RegisteredStateMachine } from '../state-machine-registry.ts';
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
  /** CreateStateMachine; a host without it refuses the action. */
  createStateMachine?(request: CreateStateMachineRequest): { stateMachineArn: string; creationDate: Date };
  /** UpdateStateMachine of a created state machine (the kit's own are refused). */
  updateStateMachine?(request: UpdateStateMachineRequest): { updateDate: Date };
  /** DeleteStateMachine of a created state machine (the kit's own are refused). */
  deleteStateMachine?(stateMachineArn: string): void;
  /**
   * Why the tier's engine could not build this definition (what CreateStateMachine would refuse),
   * or undefined when it could; nothing is registered. A host without it knows of no refusal.
   */
  engineRefusal?(definition: Record<string, unknown>): string | undefined;
}

export interface UpdateStateMachineRequest {
  stateMachineArn: string;
  definition?: string;
  roleArn?: string;
}

export interface CreateStateMachineRequest {
  name: string;
  /** The ASL as sent (JSON text). */
  definition: string;
  roleArn: string;
}

/** How the host builds the state machines CreateStateMachine adds (workflow-version.ts). */
export interface StateMachineFactory {
  /** The ARN of the state machine `name` in the tier's account and region. */
  arnOf(name: string): string;
  /**
   * Builds (validating) and registers an engine; throws, naming why, for a definition it cannot
   * run. `executions`: the registry of the version it replaces (UpdateStateMachine).
   */
  build(
    stateMachineArn: string,
    definition: Record<string, unknown>,
    executions?: ExecutionRegistry,
  ): RegisteredStateMachine;
  /** Builds the definition as `build` would, registering nothing; throws, naming why, as `build` does. */
  check(definition: Record<string, unknown>): void;
}
