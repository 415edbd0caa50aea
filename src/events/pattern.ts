/**
 * EventBridge event patterns, compiled once and matched against events in-process: the embedded
 * tier's rules use the very patterns deployed to EventBridge. The structure follows "Creating
 * Amazon EventBridge event patterns", "Arrays in event patterns" and "Content filtering"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html):
 * - fields of an object are ANDed; the elements of a value array are ORed;
 * - a nested object descends into the event's object of that name; an array of objects in the
 *   event matches when one of its elements matches the whole nested pattern (event-ruler's
 *   "array-consistent" matching);
 * - an array value in the event matches when any of its leaves matches (non-empty intersection);
 * - `{"exists": false}` matches a field that is absent or not a leaf (an object); every other
 *   operator, `anything-but` included, needs the field to be there;
 * - `"$or": [pattern, pattern, ...]` at any level matches when one of the patterns does.
 * No well-kept matcher exists on npm (checked), hence this small one; tests use AWS's examples.
 */
import { compileValue, EventPatternError, type Leaf, type ValueMatcher } from './pattern-values.ts';

export { EventPatternError } from './pattern-values.ts';

export type EventPattern = Record<string, unknown>;

/** Tests an object of the event (or `undefined` where the event has none at this level). */
type ObjectTest = (value: Record<string, unknown> | undefined) => boolean;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validates the pattern (throwing an EventPatternError that names the field) and returns a matcher. */
export function compileEventPattern(pattern: unknown): (event: unknown) => boolean {
  if (!isPlainObject(pattern)) throw new EventPatternError('event pattern: must be a JSON object');
  if (Object.keys(pattern).length === 0) throw new EventPatternError('event pattern: must not be empty');
  const test = compileObject(pattern, '');
  return (event) => test(isPlainObject(event) ? event : undefined);
}

export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}

function compileObject(pattern: Record<string, unknown>, path: string): ObjectTest {
  const tests: ObjectTest[] = [];
  for (const [field, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${field}` : field;
    if (field === '$or') {
      tests.push(compileOr(value, at));
    } else if (Array.isArray(value)) {
      const leafTest = compileLeaf(value, at);
      tests.push((object) => leafTest(object?.[field]));
    } else if (isPlainObject(value)) {
      const nested = compileObject(value, at);
      tests.push((object) => matchesNested(nested, object?.[field]));
    } else {
      throw new EventPatternError(`${at}: must be an array of values or a nested object`);
    }
  }
  return (object) => tests.every((test) => test(object));
}

function compileOr(value: unknown, path: string): ObjectTest {
  if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
    throw new EventPatternError(`${path}: must be an array of at least two pattern objects`);
  }
  const alternatives = value.map((alternative, index) => compileObject(alternative, `${path}[${index}]`));
  return (object) => alternatives.some((test) => test(object));
}

/** A nested pattern against the event's value there: an object, an array of objects, or nothing. */
function matchesNested(nested: ObjectTest, value: unknown): boolean {
  if (isPlainObject(value)) return nested(value);
  if (Array.isArray(value)) {
    const objects = value.flat(Number.POSITIVE_INFINITY).filter(isPlainObject);
    if (objects.length > 0) return objects.some((object) => nested(object));
  }
  return nested(undefined);
}

function compileLeaf(values: unknown[], path: string): (value: unknown) => boolean {
  if (values.length === 0) throw new EventPatternError(`${path}: must not be an empty array`);
  const matchers: ValueMatcher[] = values.map((element, index) => compileValue(element, `${path}[${index}]`));
  return (value) => {
    const leaves = leavesOf(value);
    return matchers.some((matcher) =>
      'exists' in matcher ? matcher.exists === leaves.length > 0 : leaves.some(matcher.test),
    );
  };
}

/** The leaf values of an event field: none when absent or an object; every primitive of an array. */
function leavesOf(value: unknown): Leaf[] {
  if (value === undefined || isPlainObject(value)) return [];
  if (Array.isArray(value)) {
    return value.flat(Number.POSITIVE_INFINITY).filter((element) => !isPlainObject(element)) as Leaf[];
  }
  return [value as Leaf];
}
