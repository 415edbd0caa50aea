/**
 * Which query language each state speaks: its own `QueryLanguage`, else the one of the state
 * machine (or of the enclosing Map or Parallel state, for the states inside it), else JSONPath. The
 * engine runs the states of a Map's ItemProcessor and of Parallel branches as state machines of
 * their own, which would lose the enclosing setting: so every state gets its language written on it
 * before the engine sees the definition (the definition shown by DescribeStateMachine is untouched).
 */
export type QueryLanguage = 'JSONPath' | 'JSONata';

type Definition = { QueryLanguage?: QueryLanguage; States?: Record<string, Record<string, unknown>> };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function withLanguage(definition: Definition, inherited: QueryLanguage): Definition {
  const language = definition.QueryLanguage ?? inherited;
  const states = Object.fromEntries(
    Object.entries(definition.States ?? {}).map(([name, state]) => {
      const own = (state.QueryLanguage as QueryLanguage | undefined) ?? language;
      const copy: Record<string, unknown> = { ...state, QueryLanguage: own };
      for (const key of ['ItemProcessor', 'Iterator'] as const) {
        if (isRecord(state[key])) copy[key] = withLanguage(state[key] as Definition, own);
      }
      if (Array.isArray(state.Branches)) {
        copy.Branches = state.Branches.map((branch) => withLanguage(branch as Definition, own));
      }
      return [name, copy];
    }),
  );
  return { ...definition, States: states };
}

/** True when any state of the definition (nested ones too) is JSONata. */
export function usesJsonata(definition: Definition): boolean {
  return JSON.stringify(withLanguage(definition, 'JSONPath')).includes('"QueryLanguage":"JSONata"');
}

/** The definition with each state's query language written on it (a copy). */
export function resolveQueryLanguages<T extends Definition>(definition: T): T {
  return withLanguage(definition, 'JSONPath') as T;
}
