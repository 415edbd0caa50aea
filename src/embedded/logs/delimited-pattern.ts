/**
 * Space-delimited filter patterns, `[ip, user, ..., status_code = 4*, bytes > 1000]`, as CloudWatch
 * Logs' "Using filter patterns to match terms in space-delimited log events" describes them: the
 * event splits at spaces into columns (text inside "" or [] is one column, without its
 * delimiters); the pattern names the columns in order, `...` stands for any number of them, and a
 * column may carry conditions on its own name joined by `&&` and `||`.
 */
import { checkOperator, compare, type Operator, PatternScanner } from './pattern-values.ts';

/** A column of the pattern: `...`, or a name with what its value must satisfy. */
type Column = { ellipsis: true } | { ellipsis: false; test: (value: string) => boolean };

/** An event's columns: runs of non-space text, "quoted" or [bracketed] runs as one column. */
export function columnsOf(message: string): string[] {
  return [...message.matchAll(/"([^"]*)"|\[([^\]]*)\]|(\S+)/g)].map(
    (found) => (found[1] ?? found[2] ?? found[3]) as string,
  );
}

function column(scanner: PatternScanner): Column {
  if (scanner.take('...')) return { ellipsis: true };
  const name = scanner.match(/[A-Za-z_][A-Za-z0-9_]*/)?.[0];
  if (!name) throw scanner.error('a column name or ... is expected');
  const alternatives: ((value: string) => boolean)[][] = [[]];
  const next = scanner.peek();
  if (next !== ',' && next !== ']' && next !== undefined) {
    for (;;) {
      const operator: Operator | undefined = scanner.operator();
      if (!operator) throw scanner.error(`an operator for column ${name} is expected`);
      const value = scanner.value();
      checkOperator(scanner, operator, value);
      (alternatives.at(-1) as ((value: string) => boolean)[]).push((text) => compare(text, operator, value));
      const joined = scanner.match(/&&|\|\|/)?.[0];
      if (!joined) break;
      if (joined === '||') alternatives.push([]);
      // The next condition names the same column again.
      if (scanner.match(/[A-Za-z_][A-Za-z0-9_]*/)?.[0] !== name)
        throw scanner.error(`a condition joined to column ${name} names another column`);
    }
  }
  return { ellipsis: false, test: (text) => alternatives.some((all) => all.every((test) => test(text))) };
}

function matchColumns(columns: Column[], values: string[]): boolean {
  const [first, ...rest] = columns;
  if (!first) return values.length === 0;
  if (first.ellipsis) {
    for (let skip = 0; skip <= values.length; skip++) if (matchColumns(rest, values.slice(skip))) return true;
    return false;
  }
  const [value, ...others] = values;
  return value !== undefined && first.test(value) && matchColumns(rest, others);
}

/** The matcher of a space-delimited pattern (`[ ... ]`); throws when it does not parse. */
export function compileDelimitedPattern(pattern: string): (message: string) => boolean {
  const scanner = new PatternScanner(pattern.trim(), pattern);
  if (!scanner.take('[')) throw scanner.error('a space-delimited pattern starts with [');
  const columns: Column[] = [];
  if (!scanner.take(']')) {
    for (;;) {
      columns.push(column(scanner));
      if (scanner.take(']')) break;
      if (!scanner.take(',')) throw scanner.error('a comma or ] is expected');
    }
  }
  if (!scanner.atEnd()) throw scanner.error('nothing may follow the closing ]');
  return (message) => matchColumns(columns, columnsOf(message));
}
