/**
 * The errors the local CloudWatch answers with, one class per AWS error shape. Each carries the
 * shape's name (`__type` of the JSON 1.0 envelope) and the Query code the shape declares
 * (`awsQueryCompatible`: sent as `x-amzn-query-error: <code>;Sender`, which the SDKs prefer).
 */

import { ServiceError } from '../shared/index.ts';

/** Every error this service answers with. */
export class CloudWatchError extends ServiceError {
  /** The code the Query protocol names this error by (`InvalidParameterValue`, ...). */
  readonly queryCode: string;
  readonly fault: 'Sender' | 'Receiver';

  constructor(shape: string, queryCode: string, message: string, status = 400) {
    super(shape, message, status);
    this.queryCode = queryCode;
    this.fault = status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** A value is not one the operation takes (a bad statistic, a period not a multiple of 60). */
export class InvalidParameterValueException extends CloudWatchError {
  constructor(message: string) {
    super('InvalidParameterValueException', 'InvalidParameterValue', message);
  }
}

/** A parameter the operation needs is absent. */
export class MissingRequiredParameterException extends CloudWatchError {
  constructor(message: string) {
    super('MissingRequiredParameterException', 'MissingParameter', message);
  }
}

/** Parameters that cannot go together (`Value` with `Values`, `Statistic` with `ExtendedStatistic`). */
export class InvalidParameterCombinationException extends CloudWatchError {
  constructor(message: string) {
    super('InvalidParameterCombinationException', 'InvalidParameterCombination', message);
  }
}

/** A member breaks its shape's constraint (length, range, pattern, required). */
export class ValidationException extends CloudWatchError {
  constructor(message: string) {
    super('ValidationException', 'ValidationError', message);
  }
}

/** The `NextToken` was not one this service gave. */
export class InvalidNextToken extends CloudWatchError {
  constructor(message = 'The service returned an invalid NextToken.') {
    super('InvalidNextToken', 'InvalidNextToken', message);
  }
}

/** The alarm named does not exist. */
export class ResourceNotFound extends CloudWatchError {
  constructor(message: string) {
    super('ResourceNotFound', 'ResourceNotFound', message, 404);
  }
}

/** `StateReasonData` is not JSON. */
export class InvalidFormatFault extends CloudWatchError {
  constructor(message: string) {
    super('InvalidFormatFault', 'InvalidFormat', message);
  }
}

/** Too many alarms (the local bound). */
export class LimitExceededFault extends CloudWatchError {
  constructor(message: string) {
    super('LimitExceededFault', 'LimitExceeded', message);
  }
}

/** `X-Amz-Target` names no operation served here. */
export class UnknownOperationException extends CloudWatchError {
  constructor(action: string) {
    super(
      'UnknownOperationException',
      'UnknownOperation',
      `Operation ${action} is not supported by the local CloudWatch.`,
    );
  }
}

/** The body is not the JSON object the operation takes. */
export class SerializationException extends CloudWatchError {
  constructor(message: string) {
    super('SerializationException', 'SerializationException', message);
  }
}

/** The body is over the size the service takes. */
export class RequestEntityTooLargeException extends CloudWatchError {
  constructor(limit: number) {
    super(
      'RequestEntityTooLargeException',
      'RequestEntityTooLarge',
      `Request size exceeds the ${limit} bytes the local CloudWatch takes.`,
      413,
    );
  }
}

/** A fault of the local service itself. */
export class InternalServiceFault extends CloudWatchError {
  constructor(message: string) {
    super('InternalServiceFault', 'InternalServiceError', message, 500);
  }
}
