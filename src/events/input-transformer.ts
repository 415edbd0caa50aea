/**
 * EventBridge's InputTransformer: `InputPathsMap` picks values out of the event by JSONPath and
 * `InputTemplate` places them as `<name>`. Rules as documented in "Amazon EventBridge input
 * transformation" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html)
 * and the PutTargets/InputTransformer API reference, plus what AWS was recorded doing
 * (LocalStack's AWS-validated snapshots of test_events_inputs):
 * - a template that is JSON once its placeholders are filled is rendered as JSON: a placeholder in
 *   a value position gets the value as JSON (strings quoted and escaped), a placeholder inside a
 *   string literal gets the text of the value, NOT escaped ("EventBridge doesn't escape values
 *   extracted by Input Path"): keep values that may hold quotes out of string literals;
 * - any other template is text, placeholders replaced by the values' text;
 * - a path that the event does not have gives an empty string (`""` in a value position);
 * - every placeholder must be defined or predefined, and none may be an object key (PutTargets
 *   rejects such templates), checked here at compile time;
 * - predefined: `aws.events.rule-arn`, `aws.events.rule-name`, `aws.events.event.ingestion-time`,
 *   `aws.events.event` (the envelope without `detail`), `aws.events.event.json` (the whole event).
 */
import { evaluateJsonPath, JsonPathError, parseJsonPath } from './json-path.ts';

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

/** What EventBridge knows when it delivers: the rule, and when the event arrived. */
export interface DeliveryContext {
  ruleName: string;
  ruleArn: string;
  ingestionTime?: Date;
}

export interface CompiledInputTransformer {
  /** The target's input text, exactly as EventBridge would send it. */
  render(event: Record<string, unknown>, context: DeliveryContext): string;
  /** True when the template is JSON (the target receives a JSON document). */
  readonly json: boolean;
}

export class InputTransformerError extends Error {
  override name = 'InputTransformerError';
}

const PREDEFINED = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
] as const;
const MAX_VARIABLES = 100;
const MAX_TEMPLATE_LENGTH = 8192;
const VARIABLE_NAME = /^[A-Za-z0-9_-]+$/;
const PLACEHOLDER = /^<([A-Za-z0-9_.-]+)>/;
/** Stand-ins for placeholders when probing whether the template is JSON (escaped control characters). */
const MARK_VALUE = '"\\u0000"';
const MARK_IN_STRING = '\\u0001';

type Segment = { text: string } | { variable: string; inString: boolean };

export function compileInputTransformer(transformer: InputTransformer): CompiledInputTransformer {
  const paths = new Map<string, ReturnType<typeof parseJsonPath>>();
  const entries = Object.entries(transformer.InputPathsMap ?? {});
  if (entries.length > MAX_VARIABLES) {
    throw new InputTransformerError(
      `InputPathsMap: at most ${MAX_VARIABLES} variables; got ${entries.length}`,
    );
  }
  for (const [name, path] of entries) {
    if (!VARIABLE_NAME.test(name)) {
      throw new InputTransformerError(`InputPathsMap.${name}: names use letters, digits, "_" and "-" only`);
    }
    if (/^aws/i.test(name))
      throw new InputTransformerError(`InputPathsMap.${name}: names cannot start with "AWS"`);
    try {
      paths.set(name, parseJsonPath(path));
    } catch (error) {
      if (error instanceof JsonPathError)
        throw new InputTransformerError(`InputPathsMap.${name}: ${error.message}`);
      throw error;
    }
  }
  const template = transformer.InputTemplate;
  if (template.length === 0 || template.length > MAX_TEMPLATE_LENGTH) {
    throw new InputTransformerError(`InputTemplate: must be 1 to ${MAX_TEMPLATE_LENGTH} characters`);
  }
  const segments = splitTemplate(template);
  for (const segment of segments) {
    if ('variable' in segment && !paths.has(segment.variable) && !isPredefined(segment.variable)) {
      throw new InputTransformerError(`InputTemplate contains invalid placeholder ${segment.variable}`);
    }
  }
  const json = isJsonTemplate(template, segments);
  return {
    json,
    render(event, context) {
      const values = (variable: string): unknown =>
        isPredefined(variable)
          ? predefinedValue(variable, event, context)
          : evaluateJsonPath(event, paths.get(variable) ?? []);
      return segments
        .map((segment) => {
          if ('text' in segment) return segment.text;
          const value = values(segment.variable);
          return json && !segment.inString ? asJson(value) : asText(value);
        })
        .join('');
    },
  };
}

/** Target input text to the value a target receives: JSON parsed when it is JSON, else the text. */
export function parseTargetInput(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isPredefined(variable: string): variable is (typeof PREDEFINED)[number] {
  return (PREDEFINED as readonly string[]).includes(variable);
}

/** Text and placeholders, each placeholder marked with whether it sits inside a JSON string literal. */
function splitTemplate(template: string): Segment[] {
  const segments: Segment[] = [];
  let text = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] as string;
    const placeholder = char === '<' ? PLACEHOLDER.exec(template.slice(i)) : null;
    if (placeholder) {
      if (text) segments.push({ text });
      text = '';
      segments.push({ variable: placeholder[1] as string, inString });
      i += placeholder[0].length - 1;
      continue;
    }
    text += char;
    if (inString && char === '\\') {
      text += template[i + 1] ?? '';
      i++;
    } else if (char === '"') {
      inString = !inString;
    }
  }
  if (text) segments.push({ text });
  return segments;
}

/** JSON once placeholders are filled; a template that looks like JSON but is not is an error. */
function isJsonTemplate(template: string, segments: Segment[]): boolean {
  const probe = segments
    .map((segment) => ('text' in segment ? segment.text : segment.inString ? MARK_IN_STRING : MARK_VALUE))
    .join('');
  let parsed: unknown;
  try {
    parsed = JSON.parse(probe);
  } catch {
    if (/^\s*[{[]/.test(template))
      throw new InputTransformerError('InputTemplate: looks like JSON but is not valid JSON');
    return false;
  }
  assertNoPlaceholderKeys(parsed);
  return true;
}

function assertNoPlaceholderKeys(value: unknown): void {
  if (Array.isArray(value)) value.forEach(assertNoPlaceholderKeys);
  else if (value !== null && typeof value === 'object') {
    for (const [key, nested] of Object.entries(value)) {
      if (key.includes('\u0000') || key.includes('\u0001')) {
        throw new InputTransformerError(`InputTemplate: a placeholder cannot be an object key ("${key}")`);
      }
      assertNoPlaceholderKeys(nested);
    }
  }
}

function asJson(value: unknown): string {
  return value === undefined ? '""' : JSON.stringify(value);
}

/** Inside a string or a text template: strings as they are, objects as JSON without their quotes. */
function asText(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  const json = JSON.stringify(value);
  return typeof value === 'object' && value !== null ? json.replaceAll('"', '') : json;
}

function predefinedValue(
  variable: (typeof PREDEFINED)[number],
  event: Record<string, unknown>,
  context: DeliveryContext,
): unknown {
  switch (variable) {
    case 'aws.events.rule-arn':
      return context.ruleArn;
    case 'aws.events.rule-name':
      return context.ruleName;
    case 'aws.events.event.ingestion-time':
      return isoSeconds(context.ingestionTime ?? new Date());
    case 'aws.events.event.json':
      return event;
    case 'aws.events.event': {
      // As AWS renders it: the envelope without `detail`, `detail-type` spelled `detailType`.
      const { detail: _detail, 'detail-type': detailType, ...envelope } = event;
      return { ...envelope, detailType };
    }
  }
}

/** EventBridge's time format: ISO 8601 to the second, UTC. */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
