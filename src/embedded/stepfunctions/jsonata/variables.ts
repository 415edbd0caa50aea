/**
 * Workflow variables (developer guide, "Passing data between states with variables"): assigned by
 * a state's `Assign` once the state is done, visible from the next state on. States inside a Map
 * iteration or a Parallel branch read the variables of the states around them, and what they
 * assign stays inside their iteration or branch. Limits: 256 KiB per variable, 256 KiB for one
 * Assign, 10 MiB for the variables of one execution; over one, the state fails with States.Runtime.
 */
import { VariableLimitError } from './errors.ts';

export const VARIABLE_LIMIT_BYTES = 256 * 1024;
export const ASSIGN_LIMIT_BYTES = 256 * 1024;
export const EXECUTION_VARIABLES_LIMIT_BYTES = 10 * 1024 * 1024;

const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

export class VariableScope {
  readonly #values = new Map<string, unknown>();
  readonly #parent: VariableScope | undefined;

  constructor(parent?: VariableScope) {
    this.#parent = parent;
  }

  /** A scope for a Map iteration or a Parallel branch: reads this one, writes its own. */
  child(): VariableScope {
    return new VariableScope(this);
  }

  /** Every variable visible here, the nearest scope's value winning. */
  visible(): Record<string, unknown> {
    return { ...this.#parent?.visible(), ...Object.fromEntries(this.#values) };
  }

  #bytes(): number {
    let total = this.#parent ? this.#parent.#bytes() : 0;
    for (const value of this.#values.values()) total += sizeOf(value);
    return total;
  }

  /** Assigns all of one state's `Assign` at once, after checking the limits. */
  assign(values: Record<string, unknown>, stateName: string): void {
    let assignBytes = 0;
    for (const [name, value] of Object.entries(values)) {
      const bytes = sizeOf(value);
      if (bytes > VARIABLE_LIMIT_BYTES) {
        throw new VariableLimitError(
          `The variable '${name}' assigned by the state '${stateName}' has ${bytes} bytes, more than the limit of ${VARIABLE_LIMIT_BYTES} bytes.`,
        );
      }
      assignBytes += bytes;
    }
    if (assignBytes > ASSIGN_LIMIT_BYTES) {
      throw new VariableLimitError(
        `The Assign of the state '${stateName}' has ${assignBytes} bytes, more than the limit of ${ASSIGN_LIMIT_BYTES} bytes.`,
      );
    }
    const previous = new Map(this.#values);
    for (const [name, value] of Object.entries(values)) this.#values.set(name, value);
    const total = this.#bytes();
    if (total > EXECUTION_VARIABLES_LIMIT_BYTES) {
      this.#values.clear();
      for (const [name, value] of previous) this.#values.set(name, value);
      throw new VariableLimitError(
        `The variables of the execution would have ${total} bytes after the state '${stateName}', more than the limit of ${EXECUTION_VARIABLES_LIMIT_BYTES} bytes.`,
      );
    }
  }
}

/**
 * Where a run's scope lives: on its context (one object per run, shared by its states). A nested
 * run (a Map iteration, a Parallel branch) builds its context from the run options, which carry
 * the enclosing scope as SCOPE_PARENT: its first state makes the run's own child scope.
 */
export const SCOPE = Symbol('scones.variables');
export const SCOPE_PARENT = Symbol('scones.variables.parent');

export function scopeOf(context: Record<string | symbol, unknown>): VariableScope {
  const own = context[SCOPE];
  if (own instanceof VariableScope && Object.hasOwn(context, SCOPE)) return own;
  const parent = context[SCOPE_PARENT];
  const scope = parent instanceof VariableScope ? parent.child() : new VariableScope();
  Object.defineProperty(context, SCOPE, { value: scope, enumerable: false, configurable: true });
  return scope;
}

/** Execute options whose nested runs (Map iterations, Parallel branches) read `scope`. */
export function withNestedScope<T extends { runOptions?: { context?: Record<string | symbol, unknown> } }>(
  options: T,
  scope: VariableScope,
): T {
  const runOptions = options.runOptions ?? {};
  return {
    ...options,
    runOptions: { ...runOptions, context: { ...runOptions.context, [SCOPE_PARENT]: scope } },
  };
}
