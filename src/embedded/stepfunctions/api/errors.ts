/**
 * Errors of the embedded Step Functions API, in the service's wire shape: HTTP 400 with
 * `{"__type": "<namespace>#<Code>", "message": ...}`. Step Functions' own exceptions carry the
 * `com.amazonaws.swf.service.v2.model` namespace, model-constraint violations (ValidationException)
 * `com.amazon.coral.validate`, protocol-level ones (unknown action, unreadable JSON)
 * `com.amazon.coral.service`. The SDKs and aws-cli keep the part after `#` as the error's name, so
 * `@aws-sdk/client-sfn` raises its typed exceptions (ExecutionDoesNotExist, InvalidArn, ...).
 * Messages follow the service's wording (API reference, "Common Errors" and each action's Errors).
 */
import type { z } from 'zod';

const SERVICE = 'com.amazonaws.swf.service.v2.model';
const VALIDATE = 'com.amazon.coral.validate';
const CORAL = 'com.amazon.coral.service';

export class SfnApiError extends Error {
  readonly code: string;
  readonly namespace: string;
  readonly status: number;

  constructor(code: string, message: string, options: { namespace?: string; status?: number } = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.namespace = options.namespace ?? SERVICE;
    this.status = options.status ?? 400;
  }

  /** The body the service sends. */
  toJSON(): { __type: string; message: string } {
    return { __type: `${this.namespace}#${this.code}`, message: this.message };
  }
}

export const sfnErrors = {
  invalidArn: (arn: string, why: string) => new SfnApiError('InvalidArn', `Invalid Arn: '${why}: ${arn}'`),
  stateMachineDoesNotExist: (arn: string) =>
    new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`),
  executionDoesNotExist: (arn: string) =>
    new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`),
  executionAlreadyExists: (message: string) => new SfnApiError('ExecutionAlreadyExists', message),
  stateMachineAlreadyExists: (arn: string) =>
    new SfnApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`),
  invalidDefinition: (why: string) =>
    new SfnApiError('InvalidDefinition', `Invalid State Machine Definition: '${why}'`),
  invalidName: (name: string) => new SfnApiError('InvalidName', `Invalid Name: '${name}'`),
  invalidExecutionInput: (why: string) =>
    new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${why}'`),
  invalidToken: (token: string) => new SfnApiError('InvalidToken', `Invalid Token: '${token.slice(0, 100)}'`),
  validation: (message: string) => new SfnApiError('ValidationException', message, { namespace: VALIDATE }),
  unknownOperation: (message: string) =>
    new SfnApiError('UnknownOperationException', message, { namespace: CORAL }),
  serialization: (message: string) =>
    new SfnApiError('SerializationException', message, { namespace: CORAL }),
  internal: (message: string) =>
    new SfnApiError('InternalFailure', message, { namespace: CORAL, status: 500 }),
};

/** A zod failure as the service's ValidationException ("N validation errors detected: ..."). */
export function validationErrorOf(error: z.ZodError): SfnApiError {
  const problems = error.issues.map((issue) => {
    const member = issue.path.join('.') || 'request';
    const value = 'input' in issue && issue.input !== undefined ? `'${String(issue.input)}'` : 'null';
    return `Value ${value} at '${member}' failed to satisfy constraint: ${issue.message}`;
  });
  const count = `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected`;
  return sfnErrors.validation(`${count}: ${problems.join('; ')}`);
}
