/**
 * The errors the local STS answers with, one class per AWS error code, in the Query protocol's
 * terms: the code, the HTTP status, whether the caller (`Sender`) or the service is at fault.
 */

export class StsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly type: 'Sender' | 'Receiver';

  constructor(code: string, message: string, status = 400, type: 'Sender' | 'Receiver' = 'Sender') {
    super(message);
    this.code = code;
    this.status = status;
    this.type = type;
    this.name = code;
  }
}

/** `Action` names no operation served here (or none is given). */
export class InvalidAction extends StsError {
  constructor(message: string) {
    super('InvalidAction', message);
  }
}

/** A request body that is not the form the Query protocol takes, or over its size. */
export class MalformedQueryString extends StsError {
  constructor(message: string) {
    super('MalformedQueryString', message);
  }
}

/** A fault of the local service itself. */
export class InternalFailure extends StsError {
  constructor(message: string) {
    super('InternalFailure', message, 500, 'Receiver');
  }
}
