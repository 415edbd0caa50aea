/**
 * JSONPath payload templates and reference paths of a Distributed Map state (ItemReader and
 * ResultWriter Parameters, ItemSelector, MaxConcurrencyPath, ToleratedFailure*Path), evaluated by
 * aws-local-stepfunctions itself, so paths, `$$` and intrinsic functions mean what they mean in
 * every other state: each template is a one-state Pass machine, built once, run per evaluation.
 * aws-local-stepfunctions sets `$$.Execution.Input` and `StartTime` of a run itself, so a template
 * here sees the state input and the evaluation time there (docs/emulator-differences.md).
 */
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { TaskError } from '../../shared/index.ts';
import type { MapContext } from './types.ts';

/** States.Runtime, as Step Functions fails a state whose field does not evaluate (not catchable). */
export function runtimeError(stateName: string, message: string): TaskError {
  return new TaskError(
    'States.Runtime',
    `An error occurred while executing the state '${stateName}'. ${message}`,
    true,
  );
}

export class PayloadTemplate {
  readonly #machine: StateMachine;
  readonly #stateName: string;

  constructor(stateName: string, template: Record<string, unknown>) {
    this.#stateName = stateName;
    const definition = {
      StartAt: 'Template',
      States: { Template: { Type: 'Pass', Parameters: template, End: true } },
    };
    this.#machine = new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
  }

  async evaluate(input: unknown, context: MapContext): Promise<Record<string, unknown>> {
    try {
      return (await this.#machine.run(input as never, { context: context as never }).result) as Record<
        string,
        unknown
      >;
    } catch (error) {
      const cause =
        error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
      throw runtimeError(this.#stateName, cause.message);
    }
  }
}

/** A reference path (e.g. MaxConcurrencyPath), evaluated to the value it points to. */
export class ReferencePath {
  readonly path: string;
  readonly #template: PayloadTemplate;

  constructor(stateName: string, path: string) {
    this.path = path;
    this.#template = new PayloadTemplate(stateName, { 'value.$': path });
  }

  async evaluate(input: unknown, context: MapContext): Promise<unknown> {
    return (await this.#template.evaluate(input, context)).value;
  }
}

/** An ItemReader's or a ResultWriter's `Bucket` and `Prefix` Parameters, evaluated and checked. */
export function bucketAndPrefix(
  stateName: string,
  field: 'ItemReader' | 'ResultWriter',
  parameters: Record<string, unknown>,
): (input: unknown, context: MapContext) => Promise<{ bucket: string; prefix: string }> {
  const template = new PayloadTemplate(stateName, parameters);
  return async (input, context) => {
    const { Bucket, Prefix } = await template.evaluate(input, context);
    if (typeof Bucket !== 'string' || Bucket === '') {
      throw runtimeError(
        stateName,
        `The ${field}'s Bucket must be a non-empty string; got ${JSON.stringify(Bucket)}`,
      );
    }
    if (Prefix !== undefined && typeof Prefix !== 'string') {
      throw runtimeError(stateName, `The ${field}'s Prefix must be a string; got ${JSON.stringify(Prefix)}`);
    }
    return { bucket: Bucket, prefix: Prefix ?? '' };
  };
}
