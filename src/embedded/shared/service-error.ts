/**
 * An error of a JSON protocol service of the tier, as the gateway writes it: the AWS error code
 * (`__type`), the HTTP status and the message as the service words it. Each service derives its own
 * base class from it (so `instanceof` tells its errors from faults), and one class per AWS code.
 */
export class ServiceError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
    this.name = code;
  }

  /** The JSON 1.1 error body. */
  toJSON(): { __type: string; message: string } {
    return { __type: this.code, message: this.message };
  }
}
