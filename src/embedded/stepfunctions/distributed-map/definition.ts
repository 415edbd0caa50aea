/**
 * The definition a Distributed Map runs as in the embedded engine: built (and validated by
 * aws-local-stepfunctions) as written, then run with each Map state in Distributed mode, top-level or
 * in a Parallel branch, replaced by a Task that keeps the state's InputPath, ResultSelector,
 * ResultPath, OutputPath, Retry, Catch and Next/End; the engine binds that Task to the local Map Run
 * (map.ts), as it binds any Task to its integration.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { validatedStateMachine } from '../validated-state-machine.ts';

type StateDefinition = StateMachineDefinition['States'][string];

/** The Resource of the Task that stands in for a Distributed Map (never deployed: local only). */
const LOCAL_RESOURCE = 'arn:aws:states:::scones:distributedMap';
/**
 * aws-local-stepfunctions gives a Task 60 s unless told otherwise; a Map Run may take hours. Node's
 * timers stop at 2^31-1 ms (24.8 days), short of a Standard execution's year: 23 days it is.
 */
const MAP_RUN_TIMEOUT_SECONDS = 2_000_000;
/** Fields the stand-in Task keeps; the Map-only ones are read here. */
const TASK_FIELDS = [
  'Comment',
  'InputPath',
  'OutputPath',
  'ResultPath',
  'ResultSelector',
  'Retry',
  'Catch',
  'Next',
  'End',
];

export function isDistributedMap(state: unknown): boolean {
  const map = state as { Type?: string; ItemProcessor?: { ProcessorConfig?: { Mode?: string } } };
  return map.Type === 'Map' && map.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/** The definition with every Distributed Map (nested ones in Parallel branches too) as its stand-in Task. */
function withLocalDistributedMaps(states: Record<string, StateDefinition>): Record<string, StateDefinition> {
  return Object.fromEntries(
    Object.entries(states).map(([name, state]) => {
      if (isDistributedMap(state)) {
        const kept = Object.entries(state).filter(([field]) => TASK_FIELDS.includes(field));
        return [
          name,
          {
            ...Object.fromEntries(kept),
            Type: 'Task',
            Resource: LOCAL_RESOURCE,
            TimeoutSeconds: MAP_RUN_TIMEOUT_SECONDS,
          },
        ];
      }
      const branches = (state as { Branches?: { States: Record<string, StateDefinition> }[] }).Branches;
      if (!branches) return [name, state];
      return [
        name,
        { ...state, Branches: branches.map((b) => ({ ...b, States: withLocalDistributedMaps(b.States) })) },
      ];
    }),
  ) as Record<string, StateDefinition>;
}

function hasDistributedMap(states: Record<string, StateDefinition>): boolean {
  return Object.values(states).some(
    (state) =>
      isDistributedMap(state) ||
      ((state as { Branches?: { States: Record<string, StateDefinition> }[] }).Branches ?? []).some(
        (branch) => hasDistributedMap(branch.States),
      ),
  );
}

/** Validates the definition as written (Distributed Map fields included) and builds the one the engine runs. */
export function localStateMachine(definition: StateMachineDefinition): StateMachine {
  const asWritten = validatedStateMachine(definition);
  if (!hasDistributedMap(definition.States)) return asWritten;
  return new StateMachine(
    { ...definition, States: withLocalDistributedMaps(definition.States) } as StateMachineDefinition,
    {
      validationOptions: { noValidate: true },
    },
  );
}
