/**
 * The errors the local CloudWatch Logs answers with, one class per AWS error code, each with what
 * the JSON 1.1 envelope needs (code as `__type`, HTTP status, message as the service words it).
 */

import { ServiceError } from '../shared/index.ts';

/** Every error this service answers with. */
export class LogsError extends ServiceError {}

/** The group or stream named does not exist. */
export class ResourceNotFoundException extends LogsError {
  constructor(message: string) {
    super('ResourceNotFoundException', message);
  }
}

/** The group or stream to create exists. */
export class ResourceAlreadyExistsException extends LogsError {
  constructor(message: string) {
    super('ResourceAlreadyExistsException', message);
  }
}

/** A parameter is valid in shape but not in combination or value (order of events, tokens). */
export class InvalidParameterException extends LogsError {
  constructor(message: string) {
    super('InvalidParameterException', message);
  }
}

/** A member breaks its shape's constraint (pattern, length, range, required). */
export class ValidationException extends LogsError {
  constructor(message: string) {
    super('ValidationException', message);
  }
}

/** `X-Amz-Target: Logs_20140328.<action>` names no operation served here. */
export class UnknownOperationException extends LogsError {
  constructor(action: string) {
    super('UnknownOperationException', `Operation ${action} is not supported by the local CloudWatch Logs.`);
  }
}

/** A fault of the local service itself. */
export class ServiceUnavailableException extends LogsError {
  constructor(message: string) {
    super('ServiceUnavailableException', message, 500);
  }
}

/** The body is not the JSON object the operation takes. */
export class SerializationException extends LogsError {
  constructor(message: string) {
    super('SerializationException', message);
  }
}
