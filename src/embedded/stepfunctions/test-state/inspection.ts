/**
 * The intermediate values of a JSONPath state for `inspectionData` (DEBUG), computed with the very
 * steps the engine runs (its StateExecutor's processInput and processResult, applied to the state's
 * fields one at a time): InputPath, then Parameters (captured from the run), the result, then
 * ResultSelector and ResultPath. For a Map state: ItemsPath, the ItemSelector of each item (with
 * `$$.Map.Item`), MaxConcurrency and the tolerated failure thresholds. A step that fails ends the
 * list there, as AWS shows the data "up to the point of failure".
 */
import { engineInternals, type StateExecutorInstance } from '../jsonata/library.ts';
import type { InspectionData } from './types.ts';

type Json = Record<string, unknown>;
type Context = Record<string | symbol, unknown>;

interface Processing {
  processInput(input: unknown, context: Context): unknown;
  processResult(result: unknown, rawInput: unknown, context: Context): unknown;
}

const prototype = engineInternals().StateExecutor.prototype as StateExecutorInstance & Processing;

/** Runs the engine's input step with only `fields` of the state. */
const inputStep = (fields: Json, input: unknown, context: Context) =>
  prototype.processInput.call({ stateDefinition: { Type: 'Pass', ...fields } } as never, input, context);

const resultStep = (fields: Json, result: unknown, rawInput: unknown, context: Context) =>
  prototype.processResult.call({ stateDefinition: fields } as never, result, rawInput, context);

const pick = (definition: Json, keys: string[]) =>
  Object.fromEntries(keys.filter((key) => key in definition).map((key) => [key, definition[key]]));

const text = (value: unknown) => JSON.stringify(value);

/** What the run captured: the state handler's input (after Parameters) and its raw result. */
export interface Captured {
  effectiveInput?: { value: unknown };
  result?: { value: unknown };
}

/** Stops at the first step that throws (the state's run reports the error itself). */
function steps(data: InspectionData, ...list: (() => void)[]): InspectionData {
  try {
    for (const step of list) step();
  } catch {
    // Up to the point of failure.
  }
  return data;
}

function mapSteps(
  definition: Json,
  data: InspectionData,
  effectiveInput: () => unknown,
  context: Context,
): () => void {
  return () => {
    const afterInputPath = effectiveInput();
    const items = inputStep({ InputPath: definition.ItemsPath ?? '$' }, afterInputPath, context);
    data.afterItemsPath = text(items);
    const selector = definition.ItemSelector ?? definition.Parameters;
    if (selector !== undefined && Array.isArray(items)) {
      const selected = items.map((value, index) =>
        inputStep({ Parameters: selector }, afterInputPath, {
          ...context,
          Map: { Item: { Index: index, Value: value } },
        }),
      );
      data.afterItemSelector = text(selected);
    }
    data.maxConcurrency = typeof definition.MaxConcurrency === 'number' ? definition.MaxConcurrency : 0;
    if (typeof definition.ToleratedFailureCount === 'number') {
      data.toleratedFailureCount = definition.ToleratedFailureCount;
    }
    if (typeof definition.ToleratedFailurePercentage === 'number') {
      data.toleratedFailurePercentage = definition.ToleratedFailurePercentage;
    }
  };
}

/** DEBUG inspection data of a JSONPath state. */
export function jsonPathInspection(
  definition: Json & { Type: string },
  rawInput: unknown,
  context: Context,
  captured: Captured,
): InspectionData {
  const data: InspectionData = { input: text(rawInput) };
  let afterInputPath: unknown;
  const processing = ['Task', 'Map', 'Parallel', 'Pass'].includes(definition.Type);
  const withResult = ['Task', 'Map', 'Parallel'].includes(definition.Type);
  return steps(
    data,
    () => {
      afterInputPath = inputStep(pick(definition, ['InputPath']), rawInput, context);
      data.afterInputPath = text(afterInputPath);
    },
    definition.Type === 'Map' ? mapSteps(definition, data, () => afterInputPath, context) : () => {},
    () => {
      if (!processing || definition.Type === 'Map' || !captured.effectiveInput) return;
      data.afterParameters = text(captured.effectiveInput.value);
    },
    () => {
      if (!processing || !captured.result) return;
      const result = captured.result.value;
      if (withResult) data.result = text(result);
      data.afterResultSelector = text(
        resultStep(pick(definition, ['ResultSelector']), result, rawInput, context),
      );
      const afterResultPath = resultStep(
        pick(definition, ['ResultSelector', 'ResultPath']),
        result,
        rawInput,
        context,
      );
      data.afterResultPath = text(afterResultPath);
    },
  );
}

/** DEBUG inspection data of a JSONata state: its input, Arguments, raw result. */
export function jsonataInspection(
  definition: Json & { Type: string },
  rawInput: unknown,
  captured: Captured,
) {
  const data: InspectionData = { input: text(rawInput) };
  if (['Task', 'Parallel'].includes(definition.Type) && captured.effectiveInput) {
    data.afterArguments = text(captured.effectiveInput.value);
  }
  if (['Task', 'Map', 'Parallel'].includes(definition.Type) && captured.result) {
    data.result = text(captured.result.value);
  }
  return data;
}

/** The items a Map state iterates over (InputPath, then ItemsPath; JSONata: a literal Items). */
export function mapItems(
  definition: Json & { QueryLanguage: string },
  input: unknown,
  context: Context,
): unknown[] {
  try {
    if (definition.QueryLanguage === 'JSONata') {
      const items = definition.Items ?? input;
      return Array.isArray(items) ? items : [];
    }
    const afterInputPath = inputStep(pick(definition, ['InputPath']), input, context);
    const items = inputStep({ InputPath: definition.ItemsPath ?? '$' }, afterInputPath, context);
    return Array.isArray(items) ? items : [];
  } catch {
    return [];
  }
}
