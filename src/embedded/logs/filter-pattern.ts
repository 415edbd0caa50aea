/**
 * FilterLogEvents' `filterPattern`, as CloudWatch Logs' "Filter pattern syntax for metric filters,
 * subscription filters, filter log events, and Live Tail" describes it. Four forms:
 *
 * - terms (case-sensitive, each found anywhere in the message): `ERROR Exception` needs both,
 *   `"Failed to process"` is one exact phrase, `-Exiting` excludes a term, and `?` starts an
 *   alternative: `?ERROR ?WARN` matches either, `?ERROR MainThread ?WARN Deadlock` either pair
 *   (what the CDK's `anyTermGroup` writes). An empty pattern, `""` or `" "` matches every event;
 * - a regular expression alone, `%ERROR [0-9]{3}%` (the characters the syntax allows);
 * - JSON, `{ $.level = "ERROR" }` (json-pattern.ts);
 * - space-delimited columns, `[ip, user, ..., status = 404]` (delimited-pattern.ts).
 *
 * A pattern that does not parse is an InvalidParameterException naming what is wrong.
 */
import { compileDelimitedPattern } from './delimited-pattern.ts';
import { compileJsonPattern } from './json-pattern.ts';
import { compileRegex, invalidPattern } from './pattern-values.ts';

export type EventMatcher = (message: string) => boolean;

interface Term {
  text: string;
  excluded: boolean;
}

/** Terms in groups: a `?` opens a new group; the event matches when one group matches whole. */
function compileTerms(pattern: string): EventMatcher {
  const groups: Term[][] = [];
  for (const found of pattern.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) {
    const [, prefix, quoted, bare] = found;
    const text = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare as string);
    if (prefix === '?' || groups.length === 0) groups.push([]);
    if (bare?.includes('"')) throw invalidPattern(pattern, `the term ${bare} has an unbalanced double quote`);
    (groups.at(-1) as Term[]).push({ text, excluded: prefix === '-' });
  }
  if (groups.length === 0) return () => true;
  return (message) =>
    groups.some((terms) => terms.every((term) => message.includes(term.text) !== term.excluded));
}

/** The matcher of `pattern`; absent, empty, `""` or `" "` matches every event. */
export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const trimmed = pattern?.trim() ?? '';
  if (trimmed === '' || /^"\s*"$/.test(trimmed)) return () => true;
  if (trimmed.startsWith('{')) return compileJsonPattern(trimmed);
  if (trimmed.startsWith('[')) return compileDelimitedPattern(trimmed);
  const regex = /^%([^%]*)%$/.exec(trimmed);
  if (regex) {
    const compiled = compileRegex(regex[1] as string, trimmed);
    return (message) => compiled.test(message);
  }
  return compileTerms(trimmed);
}
