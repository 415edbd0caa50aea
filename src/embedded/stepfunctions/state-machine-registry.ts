/**
 * The embedded tier's state machines by ARN, as one account and region holds them: what a
 * `states:startExecution` Task resolves its `StateMachineArn` against, and what an event rule's
 * Step Functions target starts. Each state machine keeps its own executions (names are unique per
 * state machine, as on AWS); the registry fans their status changes in, so one listener hears
 * every state machine, including those registered later (`scones up --watch` swaps definitions).
 */
import type { ExecutionStatusSnapshot } from '../../events/execution-events.ts';
import type { ExecutionRegistry } from './execution-registry.ts';
import type { StartedExecution } from './types.ts';

/** What the registry needs of a state machine (the EmbeddedEngine is one). */
export interface RegisteredStateMachine {
  readonly stateMachineArn: string;
  readonly executions: ExecutionRegistry;
  /** True when its definition has Tasks that start executions of state machines. */
  readonly startsExecutions: boolean;
  /** StartExecution: a generated name when none is given. */
  start(input: unknown, name?: string): StartedExecution;
}

type StatusListener = (snapshot: ExecutionStatusSnapshot) => void;
/** An execution started by a Task of another execution (a nested workflow). */
type NestedStartListener = (child: StartedExecution, parentExecutionArn: string) => void;

export class StateMachineRegistry {
  readonly #machines = new Map<string, RegisteredStateMachine>();
  /** Every execution registry seen, replaced machines' too: their running executions still count. */
  readonly #executionRegistries = new Set<ExecutionRegistry>();
  readonly #statusListeners = new Set<StatusListener>();
  readonly #nestedListeners = new Set<NestedStartListener>();

  /** Adds the state machine, or replaces the one of its ARN (as UpdateStateMachine: new starts run it). */
  register(machine: RegisteredStateMachine): void {
    this.#machines.set(machine.stateMachineArn, machine);
    if (this.#executionRegistries.has(machine.executions)) return;
    this.#executionRegistries.add(machine.executions);
    machine.executions.subscribe((snapshot) => {
      for (const listener of this.#statusListeners) listener(snapshot);
    });
  }

  /** Removes the state machine (DeleteStateMachine); its running executions still count and finish. */
  unregister(stateMachineArn: string): void {
    this.#machines.delete(stateMachineArn);
  }

  get(stateMachineArn: string): RegisteredStateMachine | undefined {
    return this.#machines.get(stateMachineArn);
  }

  get stateMachineArns(): string[] {
    return [...this.#machines.keys()];
  }

  /** Status changes (RUNNING, then the final one) of every execution of every state machine. */
  subscribe(listener: StatusListener): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** Called with every execution a `states:startExecution` Task started (not the ones it found running). */
  onNestedStart(listener: NestedStartListener): () => void {
    this.#nestedListeners.add(listener);
    return () => this.#nestedListeners.delete(listener);
  }

  /** For the startExecution integration: `child` was started by the execution `parentExecutionArn`. */
  nestedStarted(child: StartedExecution, parentExecutionArn: string): void {
    for (const listener of this.#nestedListeners) {
      try {
        listener(child, parentExecutionArn);
      } catch (error) {
        // A listener (the trigger's accounting) must never fail the Task that started the child.
        console.error(`state machines: nested-start listener failed: ${(error as Error).message}`);
      }
    }
  }

  get runningCount(): number {
    let running = 0;
    for (const executions of this.#executionRegistries) running += executions.runningCount;
    return running;
  }

  /** Resolves when no execution of any state machine runs (those they start included). */
  async idle(): Promise<void> {
    while (this.runningCount > 0) {
      await Promise.all([...this.#executionRegistries].map((executions) => executions.idle()));
    }
    await Promise.all([...this.#executionRegistries].map((executions) => executions.idle()));
  }
}
