/**
 * Event validation shared by the three handlers. Each failure is an `InvalidEvent` that names the
 * state, the field and what was wrong, so a bad execution input fails with an error a person can act on.
 */
import { InvalidEvent } from '../../src/workflow/errors.ts';
import { INFERENCE_ID_MAX_LENGTH, isValidInferenceId } from '../../src/workflow/inference-id.ts';

export type EventRecord = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string'
    ? `"${value.slice(0, 40)}"`
    : `${typeof value} ${String(value).slice(0, 40)}`;
}

export function requireEventObject(event: unknown, state: string): EventRecord {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidEvent(`${state}: the event must be a JSON object; got ${describe(event)}`);
  }
  return event as EventRecord;
}

export function requireNonEmptyString(event: EventRecord, field: string, state: string): string {
  const value = event[field];
  if (value === undefined) throw new InvalidEvent(`${state}: the event has no "${field}" field`);
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidEvent(`${state}: "${field}" must be a non-empty string; got ${describe(value)}`);
  }
  return value;
}

/** The decision's id as ClassifyImage passed it on: what SageMaker accepts as an InferenceId. */
export function requireInferenceId(event: EventRecord, field: string, state: string): string {
  const value = requireNonEmptyString(event, field, state);
  if (!isValidInferenceId(value)) {
    throw new InvalidEvent(
      `${state}: "${field}" must be 1-${INFERENCE_ID_MAX_LENGTH} printable ASCII characters (the InferenceId ClassifyImage sent); got ${describe(value)}`,
    );
  }
  return value;
}

export function optionalString(event: EventRecord, field: string, state: string): string | undefined {
  const value = event[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new InvalidEvent(`${state}: "${field}" must be a string when present; got ${describe(value)}`);
  }
  return value;
}

export function requireProbabilityList(
  event: EventRecord,
  field: string,
  length: number,
  state: string,
): number[] {
  const value = event[field];
  if (value === undefined) throw new InvalidEvent(`${state}: the event has no "${field}" field`);
  if (!Array.isArray(value) || value.length !== length) {
    throw new InvalidEvent(
      `${state}: "${field}" must be a list of ${length} probabilities; got ${describe(value)}`,
    );
  }
  value.forEach((item, index) => {
    if (typeof item !== 'number' || !Number.isFinite(item) || item < 0 || item > 1) {
      throw new InvalidEvent(
        `${state}: "${field}[${index}]" must be a number between 0 and 1; got ${describe(item)}`,
      );
    }
  });
  return value as number[];
}
