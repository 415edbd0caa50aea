/**
 * Request shapes as data, checked the way SageMaker's front door checks them: every constraint
 * that fails is collected and the request is refused with one ValidationException,
 *
 *   2 validation errors detected: Value 'bad name!' at 'trainingJobName' failed to satisfy
 *   constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62};
 *   Value null at 'roleArn' failed to satisfy constraint: Member must not be null
 *
 * (member paths in lowerCamelCase, list items as `inputDataConfig.1.member`, as AWS prints them).
 * A value of the wrong JSON type is a SerializationException, as the JSON protocol answers it.
 * Members a shape does not name are ignored, as AWS's JSON services do.
 */
import { SerializationException, ValidationException } from '../errors.ts';

export type Shape =
  | { kind: 'string'; min?: number; max?: number; pattern?: string; enum?: readonly string[] }
  | { kind: 'integer' | 'float'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'timestamp' }
  | { kind: 'list'; member: Shape; min?: number; max?: number }
  | { kind: 'map'; key: Shape; value: Shape; min?: number; max?: number }
  | { kind: 'structure'; members: Readonly<Record<string, Shape>>; required?: readonly string[] }
  | { kind: 'document' };

type Limits = { min?: number; max?: number };

export const str = (constraints: Limits & { pattern?: string } = {}): Shape => ({
  kind: 'string',
  ...constraints,
});
export const oneOf = (values: readonly string[]): Shape => ({ kind: 'string', enum: values });
export const int = (limits: Limits = {}): Shape => ({ kind: 'integer', ...limits });
export const float = (limits: Limits = {}): Shape => ({ kind: 'float', ...limits });
export const bool: Shape = { kind: 'boolean' };
export const timestamp: Shape = { kind: 'timestamp' };
/** Any JSON (shapes this service stores and echoes without reading). */
export const document: Shape = { kind: 'document' };
export const list = (member: Shape, limits: Limits = {}): Shape => ({ kind: 'list', member, ...limits });
export const map = (key: Shape, value: Shape, limits: Limits = {}): Shape => ({
  kind: 'map',
  key,
  value,
  ...limits,
});
export const struct = (members: Record<string, Shape>, required: readonly string[] = []): Shape => ({
  kind: 'structure',
  members,
  required,
});

const compiled = new Map<string, RegExp>();
/** Patterns are written as the API reference prints them (`^...`) and always match whole values. */
function regex(pattern: string): RegExp {
  let found = compiled.get(pattern);
  if (!found) {
    found = new RegExp(`^(?:${pattern.replace(/^\^/, '').replace(/\$$/, '')})$`, 'u');
    compiled.set(pattern, found);
  }
  return found;
}

const lowerCamel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The constraints `value` breaks (AWS's wording), for strings and numbers. */
function scalarViolations(shape: Shape, value: unknown): string[] {
  const broken: string[] = [];
  if (shape.kind === 'string' && typeof value === 'string') {
    const length = [...value].length;
    if (shape.enum && !shape.enum.includes(value))
      broken.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
    if (shape.max !== undefined && length > shape.max)
      broken.push(`Member must have length less than or equal to ${shape.max}`);
    if (shape.min !== undefined && length < shape.min)
      broken.push(`Member must have length greater than or equal to ${shape.min}`);
    if (shape.pattern !== undefined && !regex(shape.pattern).test(value))
      broken.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
  if ((shape.kind === 'integer' || shape.kind === 'float') && typeof value === 'number') {
    if (shape.max !== undefined && value > shape.max)
      broken.push(`Member must have value less than or equal to ${shape.max}`);
    if (shape.min !== undefined && value < shape.min)
      broken.push(`Member must have value greater than or equal to ${shape.min}`);
  }
  return broken;
}

function typeError(expected: string, value: unknown, path: string): never {
  const found = value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
  throw new SerializationException(
    `Expected ${expected} at '${path}' but found ${found} value ${shown(value)}`,
  );
}

function checkType(shape: Shape, value: unknown, path: string): void {
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') typeError('a string', value, path);
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) typeError('an integer', value, path);
      return;
    case 'float':
      if (typeof value !== 'number') typeError('a number', value, path);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') typeError('a boolean', value, path);
      return;
    case 'timestamp':
      if (typeof value !== 'number' && (typeof value !== 'string' || Number.isNaN(Date.parse(value))))
        typeError('a timestamp (epoch seconds)', value, path);
      return;
    case 'list':
      if (!Array.isArray(value)) typeError('a list', value, path);
      return;
    case 'map':
    case 'structure':
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        typeError(shape.kind === 'map' ? 'a map' : 'a structure', value, path);
      return;
    case 'document':
      return;
  }
}

function walk(shape: Shape, value: unknown, path: string, errors: string[]): void {
  checkType(shape, value, path);
  const fail = (constraint: string) =>
    errors.push(`Value '${shown(value)}' at '${path}' failed to satisfy constraint: ${constraint}`);
  for (const constraint of scalarViolations(shape, value)) fail(constraint);
  if (shape.kind === 'list') {
    const items = value as unknown[];
    if (shape.max !== undefined && items.length > shape.max)
      fail(`Member must have length less than or equal to ${shape.max}`);
    if (shape.min !== undefined && items.length < shape.min)
      fail(`Member must have length greater than or equal to ${shape.min}`);
    items.forEach((item, i) => {
      walk(shape.member, item, `${path}.${i + 1}.member`, errors);
    });
  } else if (shape.kind === 'map') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (shape.max !== undefined && entries.length > shape.max)
      fail(`Member must have length less than or equal to ${shape.max}`);
    if (shape.min !== undefined && entries.length < shape.min)
      fail(`Member must have length greater than or equal to ${shape.min}`);
    const keyProblems = new Set<string>();
    const valueProblems = new Set<string>();
    for (const [key, item] of entries) {
      for (const c of scalarViolations(shape.key, key)) keyProblems.add(c);
      checkType(shape.value, item, `${path}.${key}`);
      for (const c of scalarViolations(shape.value, item)) valueProblems.add(c);
    }
    if (keyProblems.size) fail(`Map keys must satisfy constraint: [${[...keyProblems].join(', ')}]`);
    if (valueProblems.size) fail(`Map value must satisfy constraint: [${[...valueProblems].join(', ')}]`);
  } else if (shape.kind === 'structure') {
    const object = value as Record<string, unknown>;
    for (const [name, member] of Object.entries(shape.members)) {
      const memberPath = path ? `${path}.${lowerCamel(name)}` : lowerCamel(name);
      const item = object[name];
      if (item === undefined || item === null) {
        if (shape.required?.includes(name))
          errors.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
        continue;
      }
      walk(member, item, memberPath, errors);
    }
  }
}

/** The request as `T` when it satisfies `shape`; otherwise SageMaker's ValidationException. */
export function validate<T>(shape: Shape, input: unknown): T {
  const errors: string[] = [];
  walk(shape, input ?? {}, '', errors);
  if (errors.length) {
    const count = `${errors.length} validation error${errors.length === 1 ? '' : 's'} detected: `;
    throw new ValidationException(count + errors.join('; '));
  }
  return (input ?? {}) as T;
}
