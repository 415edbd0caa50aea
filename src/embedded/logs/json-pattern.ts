/**
 * JSON filter patterns, `{ $.level = "ERROR" && ($.latency > 500 || $.retry IS TRUE) }`, as
 * CloudWatch Logs' "Using filter patterns to match terms in JSON log events" describes them:
 * selectors `$.a.b`, `$.list[0]`; comparisons with strings (quoted, or bare with `*` wildcards),
 * numbers and `%regex%`; `IS TRUE`, `IS FALSE`, `IS NULL`, `NOT EXISTS`; `&&` binding tighter than
 * `||`; parentheses. An event that is not a JSON object matches no JSON pattern.
 */
import {
  checkOperator,
  compare,
  type Operator,
  PatternScanner,
  type PatternValue,
} from './pattern-values.ts';

type Condition = (event: unknown) => boolean;
type Step = string | number;

const MISSING = Symbol('missing');

function select(event: unknown, path: Step[]): unknown {
  let current: unknown = event;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return MISSING;
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) return MISSING;
      current = current[step];
    } else {
      if (Array.isArray(current) || !Object.hasOwn(current, step)) return MISSING;
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
}

function selector(scanner: PatternScanner): Step[] {
  const found = scanner.match(/\$((?:\.[A-Za-z0-9_@-]+|\[\d+\])*)/);
  if (!found) throw scanner.error('a selector ($.field) is expected');
  const steps: Step[] = [];
  for (const part of (found[1] as string).matchAll(/\.([A-Za-z0-9_@-]+)|\[(\d+)\]/g))
    steps.push(part[1] !== undefined ? part[1] : Number(part[2]));
  return steps;
}

function condition(scanner: PatternScanner): Condition {
  if (scanner.take('(')) {
    const inner = disjunction(scanner);
    if (!scanner.take(')')) throw scanner.error('a closing parenthesis is missing');
    return inner;
  }
  const path = selector(scanner);
  if (scanner.match(/NOT\s+EXISTS\b/)) return (event) => select(event, path) === MISSING;
  const is = scanner.match(/IS\s+(TRUE|FALSE|NULL)\b/);
  if (is) {
    const expected = { TRUE: true, FALSE: false, NULL: null }[is[1] as 'TRUE' | 'FALSE' | 'NULL'];
    return (event) => select(event, path) === expected;
  }
  const operator: Operator | undefined = scanner.operator();
  if (!operator) throw scanner.error('an operator (=, !=, <, <=, >, >=, IS, NOT EXISTS) is expected');
  const value: PatternValue = scanner.value();
  checkOperator(scanner, operator, value);
  return (event) => {
    const actual = select(event, path);
    return actual !== MISSING && compare(actual, operator, value);
  };
}

function conjunction(scanner: PatternScanner): Condition {
  const parts = [condition(scanner)];
  while (scanner.take('&&')) parts.push(condition(scanner));
  return parts.length === 1 ? (parts[0] as Condition) : (event) => parts.every((part) => part(event));
}

function disjunction(scanner: PatternScanner): Condition {
  const parts = [conjunction(scanner)];
  while (scanner.take('||')) parts.push(conjunction(scanner));
  return parts.length === 1 ? (parts[0] as Condition) : (event) => parts.some((part) => part(event));
}

/** The matcher of a JSON pattern (`{ ... }`, braces included); throws when it does not parse. */
export function compileJsonPattern(pattern: string): (message: string) => boolean {
  const scanner = new PatternScanner(pattern.trim(), pattern);
  if (!scanner.take('{')) throw scanner.error('a JSON pattern starts with {');
  const matches = disjunction(scanner);
  if (!scanner.take('}')) throw scanner.error('a JSON pattern ends with }');
  if (!scanner.atEnd()) throw scanner.error('nothing may follow the closing }');
  return (message) => {
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch {
      return false;
    }
    return event !== null && typeof event === 'object' && !Array.isArray(event) && matches(event);
  };
}
