/**
 * Errors the workflow's Lambdas throw. The Lambda runtime reports `name` as `errorType`, which
 * Step Functions uses as the error name that `Retry` and `Catch` match, and which ends up as the
 * `Error` of the ClassificationFailed state. Keep names stable: they are the workflow's API.
 */

export class WorkflowError extends Error {
  /** Whether Step Functions should retry (mirrors the ASL's Retry lists; informational here). */
  readonly transient: boolean = false;
}

/** The event lacks a field or has one of the wrong type. */
export class InvalidEvent extends WorkflowError {
  override name = 'InvalidEvent';
}

/** The S3 object does not exist. */
export class ImageNotFound extends WorkflowError {
  override name = 'ImageNotFound';
}

/** The S3 bucket does not exist. */
export class BucketNotFound extends WorkflowError {
  override name = 'BucketNotFound';
}

/** The object is not a decodable image (empty, text, truncated, unsupported format). */
export class InvalidImage extends WorkflowError {
  override name = 'InvalidImage';
}

/** The object exceeds the byte limit or the pixel limit. */
export class ImageTooLarge extends WorkflowError {
  override name = 'ImageTooLarge';
}

/** The endpoint could not be reached or answered 5xx/throttling: worth retrying. */
export class EndpointUnavailable extends WorkflowError {
  override name = 'EndpointUnavailable';
  override readonly transient = true;
}

/** The endpoint refused the request for good (ValidationError, ModelError, unknown endpoint). */
export class EndpointError extends WorkflowError {
  override name = 'EndpointError';
}

/** The endpoint answered, but not with a list of class probabilities. */
export class InvalidInferenceResponse extends WorkflowError {
  override name = 'InvalidInferenceResponse';
}
