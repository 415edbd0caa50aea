/**
 * The Step Functions target of the embedded event bus, as EventBridge's: StartExecution of the
 * target state machine with the transformed input, under a generated name (EventBridge cannot
 * name the executions it starts). The kit's upload rule targets the intake state machine, which
 * starts the classification under a name from the object; so the outcome of an event is the
 * execution its execution started (a state machine that starts none is its own outcome), and a
 * duplicate event is one whose execution succeeded without starting anything.
 *
 * At most `limit` event-started executions, with the ones they start, run at once; a burst of
 * uploads queues here, in order.
 */
import type { ExecutionRecord } from '../../workflow/execution.ts';
import type { StateMachineRegistry } from './state-machine-registry.ts';
import type { StartedExecution, StarterStats } from './types.ts';

export class ExecutionStarter {
  readonly stats: StarterStats = { started: 0, duplicates: 0, failed: 0 };
  readonly #stateMachines: StateMachineRegistry;
  readonly #limit: number;
  readonly #queue: (() => void)[] = [];
  readonly #listeners = new Set<(record: ExecutionRecord) => void>();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Executions each event-started execution has started so far, by its ARN. */
  readonly #children = new Map<string, StartedExecution[]>();
  readonly #log: (message: string) => void;
  readonly #unsubscribe: () => void;
  #active = 0;

  constructor(stateMachines: StateMachineRegistry, limit: number, log: (message: string) => void) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`maxConcurrentExecutions must be >= 1; got ${limit}`);
    this.#stateMachines = stateMachines;
    this.#limit = limit;
    this.#log = log;
    this.#unsubscribe = stateMachines.onNestedStart((child, parentExecutionArn) => {
      this.#children.get(parentExecutionArn)?.push(child);
    });
  }

  get busy(): boolean {
    return this.#active > 0 || this.#queue.length > 0;
  }

  onOutcome(listener: (record: ExecutionRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once the execution has started; throws when StartExecution would refuse it. */
  async start(stateMachineArn: string, inputText: string): Promise<void> {
    const machine = this.#stateMachines.get(stateMachineArn);
    if (!machine)
      throw new Error(`state machine ${stateMachineArn} does not exist (StateMachineDoesNotExist)`);
    let input: unknown;
    try {
      input = JSON.parse(inputText);
    } catch {
      throw new Error(
        `the target input is not JSON, so StartExecution would reject it: ${inputText.slice(0, 200)}`,
      );
    }
    await this.#slot();
    let started: StartedExecution;
    try {
      started = machine.start(input);
    } catch (error) {
      this.#release();
      throw error;
    }
    const children: StartedExecution[] = [];
    this.#children.set(started.executionArn, children);
    const finished = started.done
      .then(async (record) => {
        this.#children.delete(started.executionArn);
        if (!machine.startsExecutions) return this.#report(record);
        if (children.length === 0) return this.#startedNothing(record);
        for (const child of children) this.#report(await child.done);
      })
      .catch((error: unknown) => {
        this.#log(`trigger: execution ${started.executionArn} did not run: ${(error as Error).message}`);
      })
      .finally(() => {
        this.#children.delete(started.executionArn);
        this.#release();
        this.#inFlight.delete(finished);
      });
    this.#inFlight.add(finished);
  }

  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Stops following nested starts; call after idle(). */
  close(): void {
    this.#unsubscribe();
  }

  #report(record: ExecutionRecord): void {
    this.stats.started++;
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch (error) {
        this.#log(`trigger: outcome listener failed: ${(error as Error).message}`);
      }
    }
  }

  #startedNothing(record: ExecutionRecord): void {
    if (record.status === 'SUCCEEDED') {
      this.stats.duplicates++;
      return;
    }
    this.stats.failed++;
    this.#log(
      `trigger: execution ${record.executionArn} started nothing: ${record.status} ${record.error ?? ''}: ${record.cause ?? ''}`,
    );
  }

  #slot(): Promise<void> {
    if (this.#active < this.#limit) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  /** Hands the slot to the next waiting start, or frees it. */
  #release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#active--;
  }
}
