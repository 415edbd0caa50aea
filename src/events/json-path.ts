/**
 * The JSONPath subset EventBridge evaluates in `InputPathsMap` ("Amazon EventBridge input
 * transformation": dot notation, dashes, underscores, alphanumerics, forward slashes, array
 * indices and `*` wildcards; no bracket notation for names, no filters).
 */

type Step = { name: string } | { index: number } | { wildcard: true };

export class JsonPathError extends Error {
  override name = 'JsonPathError';
}

const NAME = /^[^.[\]*]+/;

export function parseJsonPath(path: string): Step[] {
  if (!path.startsWith('$')) throw new JsonPathError(`"${path}" must start with "$"`);
  const steps: Step[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    if (rest.startsWith('.*')) {
      steps.push({ wildcard: true });
      rest = rest.slice(2);
    } else if (rest.startsWith('[*]')) {
      steps.push({ wildcard: true });
      rest = rest.slice(3);
    } else if (rest.startsWith('.')) {
      const name = NAME.exec(rest.slice(1))?.[0];
      if (!name) throw new JsonPathError(`"${path}": a name is expected after "."`);
      steps.push({ name });
      rest = rest.slice(1 + name.length);
    } else {
      const index = /^\[(\d+)\]/.exec(rest);
      if (!index) throw new JsonPathError(`"${path}": unexpected "${rest}" (dot notation and [n] only)`);
      steps.push({ index: Number(index[1]) });
      rest = rest.slice(index[0].length);
    }
  }
  return steps;
}

/**
 * The value at `path`, or `undefined` when the event has nothing there. A path with a wildcard
 * yields the array of everything it reaches.
 */
export function evaluateJsonPath(document: unknown, steps: Step[]): unknown {
  let current: unknown[] = [document];
  let many = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if ('wildcard' in step) {
        many = true;
        if (Array.isArray(value)) next.push(...value);
        else if (value !== null && typeof value === 'object') next.push(...Object.values(value));
      } else if ('index' in step) {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else if (
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        Object.hasOwn(value, step.name)
      ) {
        next.push((value as Record<string, unknown>)[step.name]);
      }
    }
    current = next;
  }
  if (many) return current.length > 0 ? current : undefined;
  return current[0];
}
