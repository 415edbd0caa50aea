/**
 * The request constraints of the CloudWatch Logs API reference (logs-2014-03-28) the operations
 * served here check, worded as the service's ValidationException words them.
 */
import { InvalidParameterException, ValidationException } from './errors.ts';

export const LOG_GROUP_NAME = {
  min: 1,
  max: 512,
  pattern: /^[.\-_/#A-Za-z0-9]+$/,
  source: '[\\.\\-_/#A-Za-z0-9]+',
};
export const LOG_STREAM_NAME = { min: 1, max: 512, pattern: /^[^:*]*$/, source: '[^:*]*' };

type Input = Record<string, unknown>;

export function asInput(input: unknown): Input {
  return (input ?? {}) as Input;
}

function fail(value: unknown, member: string, constraint: string): never {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  throw new ValidationException(
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

export function name(
  input: Input,
  member: string,
  rule: { min: number; max: number; pattern: RegExp; source: string },
): string;
export function name(
  input: Input,
  member: string,
  rule: { min: number; max: number; pattern: RegExp; source: string },
  optional: true,
): string | undefined;
export function name(
  input: Input,
  member: string,
  rule: { min: number; max: number; pattern: RegExp; source: string },
  optional = false,
): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) {
    if (optional) return undefined;
    fail(value, member, 'Member must not be null');
  }
  if (typeof value !== 'string') fail(value, member, 'Member must be a string');
  if (value.length < rule.min)
    fail(value, member, `Member must have length greater than or equal to ${rule.min}`);
  if (value.length > rule.max)
    fail(value, member, `Member must have length less than or equal to ${rule.max}`);
  if (!rule.pattern.test(value))
    fail(value, member, `Member must satisfy regular expression pattern: ${rule.source}`);
  return value;
}

export function integer(input: Input, member: string, min: number, max: number): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(value, member, 'Member must be an integer');
  if (value < min) fail(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max) fail(value, member, `Member must have value less than or equal to ${max}`);
  return value;
}

export function text(input: Input, member: string, maxLength?: number): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(value, member, 'Member must be a string');
  if (maxLength !== undefined && value.length > maxLength)
    fail(value, member, `Member must have length less than or equal to ${maxLength}`);
  return value;
}

export function bool(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') fail(value, member, 'Member must be a boolean');
  return value;
}

/** An opaque pagination token: a position, base64 so clients do not build their own. */
export function encodeToken(position: string): string {
  return Buffer.from(position, 'utf8').toString('base64url');
}

export function decodeToken(token: string): string {
  const position = Buffer.from(token, 'base64url').toString('utf8');
  if (!position || encodeToken(position) !== token)
    throw new InvalidParameterException('The specified nextToken is invalid.');
  return position;
}
