/**
 * The value side of EventBridge event patterns: what one element of a pattern's value array
 * (`"Bob"`, `{ "prefix": "in/" }`, `{ "numeric": [">", 0] }`, ...) accepts. Semantics follow the
 * EventBridge user guide, "Comparison operators for use in event patterns"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html) and
 * the event-ruler README (the library behind EventBridge's matching).
 */
import { BlockList, isIP } from 'node:net';

/** A JSON value that sits at a leaf of an event: everything but objects and arrays. */
export type Leaf = string | number | boolean | null;

/** Tests one leaf value of the event. */
export type LeafTest = (value: Leaf) => boolean;

/** A value element compiled: `exists` is kept apart because it looks at presence, not at a value. */
export type ValueMatcher = { exists: boolean } | { test: LeafTest };

export class EventPatternError extends Error {
  override name = 'EventPatternError';
}

const fail = (path: string, problem: string): never => {
  throw new EventPatternError(`${path}: ${problem}`);
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isString = (value: Leaf): value is string => typeof value === 'string';
const lower = (text: string) => text.toLowerCase();

export function compileValue(element: unknown, path: string): ValueMatcher {
  if (element === null || ['string', 'number', 'boolean'].includes(typeof element)) {
    return { test: exactTest(element as Leaf) };
  }
  if (!isPlainObject(element)) return fail(path, 'must be a string, number, boolean, null or an operator');
  const keys = Object.keys(element);
  if (keys.length !== 1) return fail(path, `an operator object has exactly one key; got ${keys.length}`);
  const operator = keys[0] as string;
  const argument = element[operator];
  const at = `${path}.${operator}`;
  switch (operator) {
    case 'exists':
      if (typeof argument !== 'boolean') return fail(at, 'must be true or false');
      return { exists: argument };
    case 'prefix':
    case 'suffix':
      return { test: affixTest(operator, argument, at) };
    case 'equals-ignore-case': {
      const wanted = lower(stringArgument(argument, at));
      return { test: (value) => isString(value) && lower(value) === wanted };
    }
    case 'wildcard': {
      const pattern = wildcardRegExp(stringArgument(argument, at), at);
      return { test: (value) => isString(value) && pattern.test(value) };
    }
    case 'numeric':
      return { test: numericTest(argument, at) };
    case 'cidr':
      return { test: cidrTest(argument, at) };
    case 'anything-but':
      return { test: anythingButTest(argument, at) };
    default:
      return fail(path, `unknown operator "${operator}"`);
  }
}

/** Strings compare exactly, numbers by value (3.018e2 equals 301.8); no type coercion. */
function exactTest(wanted: Leaf): LeafTest {
  return (value) => value === wanted;
}

function stringArgument(argument: unknown, path: string): string {
  if (typeof argument !== 'string') return fail(path, 'must be a string');
  return argument;
}

/** `prefix`/`suffix`, optionally `{ "equals-ignore-case": "..." }` inside; strings only. */
function affixTest(operator: 'prefix' | 'suffix', argument: unknown, path: string): LeafTest {
  let wanted: string;
  let ignoreCase = false;
  if (isPlainObject(argument)) {
    const keys = Object.keys(argument);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      return fail(path, 'must be a string or { "equals-ignore-case": "..." }');
    }
    wanted = stringArgument(argument['equals-ignore-case'], `${path}.equals-ignore-case`);
    ignoreCase = true;
  } else {
    wanted = stringArgument(argument, path);
  }
  const needle = ignoreCase ? lower(wanted) : wanted;
  return (value) => {
    if (!isString(value)) return false;
    const text = ignoreCase ? lower(value) : value;
    return operator === 'prefix' ? text.startsWith(needle) : text.endsWith(needle);
  };
}

/**
 * `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash.
 * Consecutive stars and other escapes are rejected, as EventBridge does.
 */
function wildcardRegExp(wildcard: string, path: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i] as string;
    if (char === '\\') {
      const next = wildcard[i + 1];
      if (next !== '*' && next !== '\\') return fail(path, 'a backslash may only escape "*" or "\\"');
      source += `\\${next}`;
      i++;
    } else if (char === '*') {
      if (wildcard[i + 1] === '*') return fail(path, 'consecutive wildcard characters are not allowed');
      source += '[\\s\\S]*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'u');
}

const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='] as const;
type NumericOperator = (typeof NUMERIC_OPERATORS)[number];

function compare(operator: NumericOperator, value: number, bound: number): boolean {
  switch (operator) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}

/** `["<", 10]`, `["=", 3.018e2]` or a range `[">", 0, "<=", 5]` (lower bound first). JSON numbers only. */
function numericTest(argument: unknown, path: string): LeafTest {
  if (!Array.isArray(argument) || (argument.length !== 2 && argument.length !== 4)) {
    return fail(path, 'must be [operator, number] or [lower operator, number, upper operator, number]');
  }
  const conditions: [NumericOperator, number][] = [];
  for (let i = 0; i < argument.length; i += 2) {
    const operator = argument[i];
    const bound = argument[i + 1];
    if (!NUMERIC_OPERATORS.includes(operator)) {
      return fail(
        `${path}[${i}]`,
        `must be one of ${NUMERIC_OPERATORS.join(' ')}; got ${JSON.stringify(operator)}`,
      );
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound))
      return fail(`${path}[${i + 1}]`, 'must be a number');
    conditions.push([operator, bound]);
  }
  if (conditions.length === 2) {
    const [[low, lowBound], [high, highBound]] = conditions as [
      [NumericOperator, number],
      [NumericOperator, number],
    ];
    if (!['>', '>='].includes(low) || !['<', '<='].includes(high) || lowBound > highBound) {
      return fail(path, 'a range is [">" or ">=", lower, "<" or "<=", upper] with lower <= upper');
    }
  }
  return (value) =>
    typeof value === 'number' && conditions.every(([operator, bound]) => compare(operator, value, bound));
}

/** IPv4 or IPv6 CIDR block; matches string values that are addresses inside it. */
function cidrTest(argument: unknown, path: string): LeafTest {
  const text = stringArgument(argument, path);
  const [network, bits, extra] = text.split('/');
  const family = isIP(network ?? '');
  const prefix = Number(bits);
  const maxBits = family === 6 ? 128 : 32;
  if (extra !== undefined || family === 0 || !/^\d+$/.test(bits ?? '') || prefix > maxBits) {
    return fail(path, `must be an IPv4 or IPv6 CIDR block such as 10.0.0.0/24; got "${text}"`);
  }
  const block = new BlockList();
  const type = family === 6 ? 'ipv6' : 'ipv4';
  block.addSubnet(network as string, prefix, type);
  return (value) => isString(value) && isIP(value) === family && block.check(value, type);
}

/**
 * Anything but the given string(s) or number(s), or anything but strings with a prefix/suffix,
 * a case-insensitive value or a wildcard. The value forms accept any other value; the string forms
 * only accept strings.
 */
function anythingButTest(argument: unknown, path: string): LeafTest {
  if (isPlainObject(argument)) {
    const keys = Object.keys(argument);
    const operator = keys[0] as string;
    if (keys.length !== 1 || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(operator)) {
      return fail(path, 'must be a value, a list, or one of prefix, suffix, equals-ignore-case, wildcard');
    }
    const at = `${path}.${operator}`;
    const values = listOf(argument[operator], at, operator === 'prefix' || operator === 'suffix');
    if (values.some((value) => typeof value !== 'string')) return fail(at, 'must be strings');
    const excluded = (values as string[]).map((value, index) => {
      const elementPath = Array.isArray(argument[operator]) ? `${at}[${index}]` : at;
      const matcher = compileValue({ [operator]: value }, elementPath) as { test: LeafTest };
      return matcher.test;
    });
    return (value) => isString(value) && !excluded.some((test) => test(value));
  }
  const values = listOf(argument, path, false);
  const kinds = new Set(values.map((value) => typeof value));
  if (kinds.size !== 1 || !(kinds.has('string') || kinds.has('number'))) {
    return fail(path, 'must be a string, a number, or a list of only strings or only numbers');
  }
  return (value) => !values.includes(value as never);
}

/** A single value or a non-empty list of them; `single` forbids the list form (anything-but prefix). */
function listOf(argument: unknown, path: string, single: boolean): unknown[] {
  if (!Array.isArray(argument)) return [argument];
  if (single) return fail(path, 'takes a single string, not a list');
  if (argument.length === 0) return fail(path, 'must not be an empty list');
  return argument;
}
