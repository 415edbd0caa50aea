/**
 * The request constraints of the CloudWatch API reference (monitoring-2010-08-01) the operations
 * served here check: a required member absent is `MissingParameter` ("The parameter X is
 * required."), a member outside its shape's length or range a `ValidationError` worded as AWS
 * words it, a value of the wrong type an `InvalidParameterValue`.
 */
import {
  InvalidNextToken,
  InvalidParameterValueException,
  MissingRequiredParameterException,
  ValidationException,
} from './errors.ts';
import type { Dimension } from './types.ts';

export type Input = Record<string, unknown>;

export function asInput(input: unknown): Input {
  return (input ?? {}) as Input;
}

function constraint(value: unknown, member: string, rule: string): never {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  throw new ValidationException(
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${rule}`,
  );
}

function missing(member: string): never {
  throw new MissingRequiredParameterException(`The parameter ${member} is required.`);
}

const present = (value: unknown) => value !== undefined && value !== null;

export function str(input: Input, member: string, min: number, max: number, required: true): string;
export function str(
  input: Input,
  member: string,
  min: number,
  max: number,
  required?: false,
): string | undefined;
export function str(
  input: Input,
  member: string,
  min: number,
  max: number,
  required = false,
): string | undefined {
  const value = input[member];
  if (!present(value)) return required ? missing(member) : undefined;
  if (typeof value !== 'string')
    throw new InvalidParameterValueException(`The parameter ${member} must be a string.`);
  if (value.length < min)
    constraint(value, member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) constraint(value, member, `Member must have length less than or equal to ${max}`);
  return value;
}

export function int(
  input: Input,
  member: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const value = input[member];
  if (!present(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new InvalidParameterValueException(`The parameter ${member} must be an integer.`);
  if (value < min) constraint(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max) constraint(value, member, `Member must have value less than or equal to ${max}`);
  return value;
}

export function num(input: Input, member: string): number | undefined {
  const value = input[member];
  if (!present(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new InvalidParameterValueException(
      `The value ${String(value)} for parameter ${member} is invalid.`,
    );
  return value;
}

export function bool(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (!present(value)) return undefined;
  if (typeof value !== 'boolean')
    throw new InvalidParameterValueException(`The parameter ${member} must be a boolean.`);
  return value;
}

export function list(input: Input, member: string, max = Number.MAX_SAFE_INTEGER): unknown[] | undefined {
  const value = input[member];
  if (!present(value)) return undefined;
  if (!Array.isArray(value))
    throw new InvalidParameterValueException(`The parameter ${member} must be a list.`);
  if (value.length > max)
    constraint(`[${value.length} members]`, member, `Member must have length less than or equal to ${max}`);
  return value;
}

export function object(value: unknown, member: string): Input {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidParameterValueException(`The parameter ${member} must be a structure.`);
  return value as Input;
}

export function oneOf<T extends string>(input: Input, member: string, allowed: readonly T[]): T | undefined {
  const value = str(input, member, 0, 255);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    constraint(value, member, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  return value as T;
}

/** A timestamp as JSON 1.0 sends it (epoch seconds) or as text (ISO 8601); epoch milliseconds. */
export function timestamp(input: Input, member: string, required = false): number | undefined {
  const value = input[member];
  if (!present(value)) return required ? missing(member) : undefined;
  const ms =
    typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new InvalidParameterValueException(`The parameter ${member} must be a valid timestamp.`);
  return ms;
}

/** `Dimensions` (at most 30, names 1..255, values 1..1024, no name twice), sorted by name. */
export function dimensions(input: Input, member = 'Dimensions'): Dimension[] {
  const raw = list(input, member, 30) ?? [];
  const seen = new Set<string>();
  const result = raw.map((item, i) => {
    const entry = object(item, `${member}.member.${i + 1}`);
    const Name = str(entry, 'Name', 1, 255, true);
    const Value = str(entry, 'Value', 1, 1024, true);
    if (seen.has(Name))
      throw new InvalidParameterValueException(`The dimension ${Name} is given more than once.`);
    seen.add(Name);
    return { Name, Value };
  });
  return result.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

/** An opaque pagination token: a position, base64 so clients do not build their own. */
export function encodeToken(position: string): string {
  return Buffer.from(position, 'utf8').toString('base64url');
}

export function decodeToken(token: string): string {
  const position = Buffer.from(token, 'base64url').toString('utf8');
  if (!position || encodeToken(position) !== token) throw new InvalidNextToken();
  return position;
}
