/**
 * The definition's text as a JSON object, or the diagnostic AWS gives instead: text that is not JSON
 * is INVALID_JSON_DESCRIPTION with the line and column of the first bad character; JSON that is not
 * an object (a blank definition included) is SCHEMA_VALIDATION_FAILED "Definition must be a valid
 * JSON object" without a location (as the service answers `" "`, recorded in LocalStack's
 * tests/aws/services/stepfunctions/v2/test_sfn_api_validation.snapshot.json). JSON nested beyond
 * MAX_DEPTH levels is TOO_DEEPLY_NESTED: the checks after this one recurse, and no definition
 * needs that many (AWS documents the code, not its limit).
 */
import { CODES, error } from './diagnostics.ts';
import type { DefinitionDiagnostic } from './types.ts';

export const MAX_DEPTH = 256;

export type Parsed = { definition: Record<string, unknown> } | { diagnostic: DefinitionDiagnostic };

export function parseDefinition(text: string): Parsed {
  if (text.trim() === '') return { diagnostic: notAnObject() };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    if (cause instanceof RangeError) return { diagnostic: tooDeep() };
    const { line, column } = errorPosition(text, (cause as Error).message);
    return {
      diagnostic: {
        ...error(CODES.invalidJson, (cause as Error).message),
        location: `line ${line}, column ${column}`,
      },
    };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { diagnostic: notAnObject() };
  }
  if (depthOf(parsed) > MAX_DEPTH) return { diagnostic: tooDeep() };
  return { definition: parsed as Record<string, unknown> };
}

function tooDeep(): DefinitionDiagnostic {
  return error(
    CODES.tooDeeplyNested,
    `The definition is too deeply nested: more than ${MAX_DEPTH} levels of objects and arrays`,
  );
}

/** How deep objects and arrays nest (without recursion: the point is not to overflow the stack). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [node, depth] = entry;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function notAnObject(): DefinitionDiagnostic {
  return error(CODES.schema, 'Definition must be a valid JSON object');
}

/** Where JSON.parse stopped, 1-based. */
function errorPosition(text: string, message: string): { line: number; column: number } {
  const given = /\(line (\d+) column (\d+)\)/.exec(message);
  if (given) return { line: Number(given[1]), column: Number(given[2]) };
  const offset = firstBadOffset(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * V8 names no position for some errors ("Unexpected token 'o', ... is not valid JSON"): the first
 * bad character is where the longest prefix still readable as the start of a document ends (a
 * binary search; only on this error path).
 */
function firstBadOffset(text: string): number {
  const readable = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (cause) {
      const message = (cause as Error).message;
      const at = /at position (\d+)/.exec(message);
      return message.includes('Unexpected end of JSON input') || (at !== null && Number(at[1]) >= length);
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (readable(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}
