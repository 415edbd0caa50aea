/**
 * Run a Job (`.sync`) Tasks with Step Functions' default timeout. aws-local-stepfunctions gives a
 * Task with no `TimeoutSeconds` (nor `TimeoutSecondsPath`) 60 s; Step Functions gives it 99999999 s,
 * and a `.sync` Task waits for a job (a SageMaker training, a nested execution) that takes minutes
 * or hours. Node's timers stop at 2^31-1 ms (24.8 days), short of a Standard execution's year:
 * 23 days it is, as for a Distributed Map's Map Run (distributed-map/definition.ts).
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

export const JOB_TIMEOUT_SECONDS = 2_000_000;

type States = StateMachineDefinition['States'];

function isUntimedJob(state: Record<string, unknown>): boolean {
  return (
    state.Type === 'Task' &&
    typeof state.Resource === 'string' &&
    /\.sync(:\d+)?$/.test(state.Resource) &&
    state.TimeoutSeconds === undefined &&
    state.TimeoutSecondsPath === undefined
  );
}

function withTimeouts(states: States): States {
  return Object.fromEntries(
    Object.entries(states).map(([name, raw]) => {
      const state = raw as unknown as Record<string, unknown>;
      if (isUntimedJob(state)) return [name, { ...state, TimeoutSeconds: JOB_TIMEOUT_SECONDS }];
      const copy: Record<string, unknown> = { ...state };
      for (const key of ['ItemProcessor', 'Iterator'] as const) {
        const processor = state[key] as { States: States } | undefined;
        if (processor) copy[key] = { ...processor, States: withTimeouts(processor.States) };
      }
      const branches = state.Branches as { States: States }[] | undefined;
      if (branches)
        copy.Branches = branches.map((branch) => ({ ...branch, States: withTimeouts(branch.States) }));
      return [name, copy];
    }),
  ) as unknown as States;
}

/** The definition with every `.sync` Task that sets no timeout given Step Functions' (near) none. */
export function withJobTimeouts(definition: StateMachineDefinition): StateMachineDefinition {
  return { ...definition, States: withTimeouts(definition.States) };
}
