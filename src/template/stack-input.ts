/**
 * Parameter values for a stack deployment, checked before anything is uploaded or created: against
 * the template's own parameter constraints (so the check cannot drift from the template), and
 * against what the target can host (MiniStack has no SageMaker resource types: a CreateChangeSet
 * naming one fails with "Unrecognized resource types", so an initial model is refused there).
 */
import { MODEL_DATA_URL } from './parameters.ts';
import type { CfnParameter, CfnTemplate } from './types.ts';

export class StackInputError extends Error {
  override name = 'StackInputError';
}

export interface StackInput {
  template: CfnTemplate;
  /** Values given for the template's parameters (the code location is added by the upload). */
  values: Record<string, string>;
  /** False on targets without SageMaker's CloudFormation types (MiniStack). */
  hostsSageMaker: boolean;
}

function problemOf(name: string, value: string, parameter: CfnParameter): string | undefined {
  if (parameter.AllowedValues && !parameter.AllowedValues.includes(value)) {
    return `${name} must be one of ${parameter.AllowedValues.join(', ')}`;
  }
  if (parameter.MinLength !== undefined && value.length < parameter.MinLength) {
    return `${name} must have at least ${parameter.MinLength} character(s)`;
  }
  if (parameter.AllowedPattern && !new RegExp(parameter.AllowedPattern).test(value)) {
    return `${name} must match ${parameter.AllowedPattern}`;
  }
  if (parameter.Type === 'Number') {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) return `${name} must be a number`;
    if (parameter.MinValue !== undefined && number < parameter.MinValue) {
      return `${name} must be at least ${parameter.MinValue}`;
    }
    if (parameter.MaxValue !== undefined && number > parameter.MaxValue) {
      return `${name} must be at most ${parameter.MaxValue}`;
    }
  }
  return undefined;
}

export interface StackParameter {
  ParameterKey: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

/**
 * An update keeps the value the stack has for every parameter not given, as `aws cloudformation
 * deploy` does: a deploy that only changes Threshold must not reset NotifyEmail, or empty
 * ModelDataUrl, which would delete the initial endpoint with the condition it drives.
 */
export function keptParameters(
  template: CfnTemplate,
  given: Record<string, string>,
  previous: readonly string[],
): StackParameter[] {
  return previous
    .filter((name) => template.Parameters[name] !== undefined && given[name] === undefined)
    .map((ParameterKey) => ({ ParameterKey, UsePreviousValue: true }));
}

/** The CloudFormation Parameters list, or a StackInputError naming every problem at once. */
export function stackParameters(input: StackInput): StackParameter[] {
  const { Parameters } = input.template;
  const problems: string[] = [];
  for (const [name, value] of Object.entries(input.values)) {
    const parameter = Parameters[name];
    if (!parameter) {
      problems.push(`${name} is not a parameter of the template (${Object.keys(Parameters).join(', ')})`);
      continue;
    }
    const problem = problemOf(name, value, parameter);
    if (problem) problems.push(`${problem} (got "${value}")`);
  }
  for (const [name, parameter] of Object.entries(Parameters)) {
    if (parameter.Default === undefined && input.values[name] === undefined) {
      problems.push(`${name} has no default and no value`);
    }
  }
  if (!input.hostsSageMaker && (input.values[MODEL_DATA_URL] ?? '') !== '') {
    problems.push(
      `${MODEL_DATA_URL} makes the stack create a SageMaker model, config and endpoint, and this target has no SageMaker resource types: leave it empty (the endpoint comes from the stub or a local model)`,
    );
  }
  if (problems.length > 0) {
    throw new StackInputError(`Nothing was deployed: ${problems.join('; ')}`);
  }
  return Object.entries(input.values).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
}
