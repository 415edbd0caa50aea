/**
 * JSONata in a state's fields: a string `{% expression %}` anywhere in a field's JSON value is
 * evaluated (jsonata, the reference implementation), every other value is kept as written. Each
 * expression sees `$states` (input, result, errorOutput, context), the workflow's variables and
 * Step Functions' own functions. An expression that fails or gives nothing (undefined) fails the
 * state with States.QueryEvaluationError, naming the field as AWS does (`Arguments/a/b[0]`).
 */
import jsonata from 'jsonata';
import { QueryEvaluationError, stateQueryError } from './errors.ts';
import { stepFunctionsFunctions } from './functions.ts';

const EXPRESSION = /^\{%([\s\S]*)%\}$/;
const compiled = new Map<string, ReturnType<typeof jsonata>>();

export interface StatesVariable {
  input: unknown;
  context: unknown;
  result?: unknown;
  errorOutput?: unknown;
}

export interface Evaluation {
  stateName: string;
  states: StatesVariable;
  variables: Record<string, unknown>;
  partition?: string;
}

export const isExpression = (value: unknown): value is string =>
  typeof value === 'string' && EXPRESSION.test(value.trim());

function compile(source: string, field: string, stateName: string) {
  let expression = compiled.get(source);
  if (!expression) {
    try {
      expression = jsonata(source);
    } catch (error) {
      throw stateQueryError(
        stateName,
        `The JSONata expression '${source}' specified for the field '${field}' is not valid: ${(error as Error).message}`,
      );
    }
    compiled.set(source, expression);
  }
  return expression;
}

/** One expression's value; `undefined` is an error where a value is needed (every field). */
export async function evaluateExpression(text: string, field: string, at: Evaluation): Promise<unknown> {
  const source = (EXPRESSION.exec(text.trim())?.[1] ?? '').trim();
  const expression = compile(source, field, at.stateName);
  const bindings = {
    ...at.variables,
    ...stepFunctionsFunctions(at.partition ?? 'aws'),
    states: at.states,
  };
  let value: unknown;
  try {
    value = await expression.evaluate(at.states.input, bindings);
  } catch (error) {
    if (error instanceof QueryEvaluationError) throw error;
    const message = (error as { message?: string }).message ?? String(error);
    throw stateQueryError(
      at.stateName,
      `The JSONata expression '${source}' specified for the field '${field}' threw an error: ${message}`,
    );
  }
  if (value === undefined) {
    throw stateQueryError(
      at.stateName,
      `The JSONata expression '${source}' specified for the field '${field}' returned nothing (undefined).`,
    );
  }
  // jsonata marks its sequences with extra properties: hand on plain JSON.
  return JSON.parse(JSON.stringify(value));
}

/** A field's value with every expression in it evaluated (objects and arrays walked). */
export async function evaluateTemplate(value: unknown, field: string, at: Evaluation): Promise<unknown> {
  if (isExpression(value)) return evaluateExpression(value, field, at);
  if (Array.isArray(value)) {
    return Promise.all(value.map((item, index) => evaluateTemplate(item, `${field}[${index}]`, at)));
  }
  if (value !== null && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(
        async ([key, item]) => [key, await evaluateTemplate(item, `${field}/${key}`, at)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
  return value;
}
