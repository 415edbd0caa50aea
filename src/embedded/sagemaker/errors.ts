/**
 * The errors the local SageMaker answers with, one class per AWS error code. Each carries what a
 * JSON 1.1 envelope needs: the code (`__type`), the HTTP status and the message, worded as
 * SageMaker words them. The gateway writes `{ "__type": code, "message": message }` with `status`.
 *
 * Two more classes are not AWS errors but the language of the injected parts: a TrainingRunner
 * throws TrainingFailure (its message becomes the job's FailureReason), an EndpointHosting throws
 * HostingFailure (naming the variant whose model did not load).
 */

import { ServiceError } from '../shared/index.ts';

/** Every error this service answers with. */
export class SageMakerServiceError extends ServiceError {}

/** Bad input: a shape constraint, an unknown resource on Describe, a state that forbids the call. */
export class ValidationException extends SageMakerServiceError {
  constructor(message: string) {
    super('ValidationException', message);
  }
}

/** The named resource does not exist (where the API reference declares this error). */
export class ResourceNotFound extends SageMakerServiceError {
  constructor(message: string) {
    super('ResourceNotFound', message);
  }
}

/** The name is taken, or the resource is busy. */
export class ResourceInUse extends SageMakerServiceError {
  constructor(message: string) {
    super('ResourceInUse', message);
  }
}

/** A quota: here, how many trainings this machine runs at once. */
export class ResourceLimitExceeded extends SageMakerServiceError {
  constructor(message: string) {
    super('ResourceLimitExceeded', message);
  }
}

/** A concurrent change of a model package. */
export class ConflictException extends SageMakerServiceError {
  constructor(message: string) {
    super('ConflictException', message);
  }
}

/** The body is not the JSON the operation takes (a string where a number belongs, a list for a map). */
export class SerializationException extends SageMakerServiceError {
  constructor(message: string) {
    super('SerializationException', message);
  }
}

/** `X-Amz-Target: SageMaker.<action>` names no operation of this service. */
export class UnknownOperationException extends SageMakerServiceError {
  constructor(action: string) {
    super('UnknownOperationException', `Operation ${action} is not supported by the local SageMaker.`);
  }
}

/** A fault of the local SageMaker itself (a bug or an unreadable state file), never the caller's. */
export class InternalFailure extends SageMakerServiceError {
  constructor(message: string) {
    super('InternalFailure', message, 500);
  }
}

/** Thrown by a TrainingRunner: the training could not finish; `message` is the FailureReason. */
export class TrainingFailure extends Error {
  override name = 'TrainingFailure';
}

/** Thrown by an EndpointHosting: `variantName`'s model could not be loaded or answered no ping. */
export class HostingFailure extends Error {
  override name = 'HostingFailure';
  readonly variantName: string;

  constructor(variantName: string, message: string) {
    super(message);
    this.variantName = variantName;
  }
}
