/**
 * The pieces the JSON and space-delimited filter patterns share: a scanner over the pattern text,
 * the values a condition compares with (quoted or bare strings with `*` wildcards, numbers,
 * `%regex%`), and the comparison itself, as CloudWatch Logs' "Filter pattern syntax" describes
 * them: `=` and `!=` compare strings (a `*` matches any run of characters), all six operators
 * compare numbers, a regex value matches anywhere in the field.
 */
import { InvalidParameterException } from './errors.ts';

export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type PatternValue =
  | { kind: 'string'; text: string; glob: RegExp }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'regex'; regex: RegExp };

/** The characters a `%regex%` may hold (letters, digits, the listed symbols and operators). */
const REGEX_CHARACTERS = /^[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+.]*$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

export function invalidPattern(pattern: string, why: string): InvalidParameterException {
  return new InvalidParameterException(`Invalid filter pattern '${pattern}': ${why}.`);
}

/** `%...%` as a JavaScript RegExp, refusing what the syntax does not allow (groups, other symbols). */
export function compileRegex(body: string, pattern: string): RegExp {
  if (!REGEX_CHARACTERS.test(body))
    throw invalidPattern(
      pattern,
      `the regular expression %${body}% holds a character the syntax does not support (letters, digits, ` +
        ': _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \\ * + . only; no parentheses)',
    );
  try {
    return new RegExp(body);
  } catch (error) {
    throw invalidPattern(pattern, `%${body}% is not a regular expression (${(error as Error).message})`);
  }
}

function globOf(text: string): RegExp {
  const escaped = text.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

/** A scanner over a pattern's text: whitespace-separated tokens, quoted strings, regexes. */
export class PatternScanner {
  position = 0;
  readonly text: string;
  readonly pattern: string;

  constructor(text: string, pattern: string) {
    this.text = text;
    this.pattern = pattern;
  }

  skipSpace(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position] as string)) this.position++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.position >= this.text.length;
  }

  /** The next character that is not a space, without consuming it. */
  peek(): string | undefined {
    this.skipSpace();
    return this.text[this.position];
  }

  /** Consumes `literal` when it comes next. */
  take(literal: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(literal, this.position)) return false;
    this.position += literal.length;
    return true;
  }

  /** Consumes what `expression` (sticky) matches next, or nothing. */
  match(expression: RegExp): RegExpExecArray | undefined {
    this.skipSpace();
    const sticky = new RegExp(expression.source, `${expression.flags.replace('y', '')}y`);
    sticky.lastIndex = this.position;
    const found = sticky.exec(this.text);
    if (!found) return undefined;
    this.position = sticky.lastIndex;
    return found;
  }

  operator(): Operator | undefined {
    return this.match(/!=|<=|>=|=|<|>/)?.[0] as Operator | undefined;
  }

  /** A quoted string, a `%regex%`, a number or a bare word (letters, digits, `* . _ - : / @`). */
  value(): PatternValue {
    const quoted = this.match(/"((?:[^"\\]|\\.)*)"/);
    if (quoted) {
      const text = (quoted[1] as string).replace(/\\(.)/g, '$1');
      return { kind: 'string', text, glob: globOf(text) };
    }
    const regex = this.match(/%([^%]*)%/);
    if (regex) return { kind: 'regex', regex: compileRegex(regex[1] as string, this.pattern) };
    const word = this.match(/[^\s"%(){}[\],&|!=<>]+/);
    if (!word) throw this.error('a value (a quoted string, a number, a bare word or a %regex%) is missing');
    const text = word[0];
    if (NUMBER.test(text)) return { kind: 'number', value: Number(text), text };
    return { kind: 'string', text, glob: globOf(text) };
  }

  error(why: string): InvalidParameterException {
    return invalidPattern(this.pattern, `${why} at character ${this.position + 1}`);
  }
}

/** Whether the operator is allowed for the value: strings and regexes take `=` and `!=` only. */
export function checkOperator(scanner: PatternScanner, operator: Operator, value: PatternValue): void {
  if (value.kind !== 'number' && operator !== '=' && operator !== '!=')
    throw scanner.error(`${operator} compares numbers only; strings take = or !=`);
}

/**
 * Whether `actual` (a JSON value, or a column's text) satisfies `operator value`. A field that is
 * missing, an object or an array matches no comparison.
 */
export function compare(actual: unknown, operator: Operator, value: PatternValue): boolean {
  if (actual === undefined || actual === null || typeof actual === 'object') return false;
  const text = String(actual);
  if (value.kind === 'regex') return value.regex.test(text) === (operator === '=');
  if (value.kind === 'string') return value.glob.test(text) === (operator === '=');
  const number = typeof actual === 'number' ? actual : NUMBER.test(text) ? Number(text) : undefined;
  if (number === undefined) {
    return operator === '=' ? text === value.text : operator === '!=' ? text !== value.text : false;
  }
  switch (operator) {
    case '=':
      return number === value.value;
    case '!=':
      return number !== value.value;
    case '<':
      return number < value.value;
    case '<=':
      return number <= value.value;
    case '>':
      return number > value.value;
    default:
      return number >= value.value;
  }
}
