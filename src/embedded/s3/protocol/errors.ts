/** S3's error codes, statuses and messages as the service sends them (REST XML `<Error>`). */

export class S3Error extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra elements S3 adds to the `<Error>` document (Key, BucketName, ...). */
  readonly details: Record<string, string>;

  constructor(code: string, status: number, message: string, details: Record<string, string> = {}) {
    super(message);
    this.name = 'S3Error';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export const s3Errors = {
  noSuchBucket: (bucket: string) =>
    new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket }),
  noSuchKey: (key: string) =>
    new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key }),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    new S3Error(
      'BucketAlreadyOwnedByYou',
      409,
      'Your previous request to create the named bucket succeeded and you already own it.',
      { BucketName: bucket },
    ),
  bucketNotEmpty: (bucket: string) =>
    new S3Error('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { BucketName: bucket }),
  invalidBucketName: (bucket: string) =>
    new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket }),
  invalidArgument: (message: string, name: string, value: string) =>
    new S3Error('InvalidArgument', 400, message, { ArgumentName: name, ArgumentValue: value }),
  invalidRange: (size: number, range: string) =>
    new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', {
      RangeRequested: range,
      ActualObjectSize: String(size),
    }),
  badDigest: () =>
    new S3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.'),
  invalidDigest: () => new S3Error('InvalidDigest', 400, 'The Content-MD5 you specified is not valid.'),
  entityTooLarge: (size: number, max: number) =>
    new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed object size.', {
      ProposedSize: String(size),
      MaxSizeAllowed: String(max),
    }),
  keyTooLong: () => new S3Error('KeyTooLongError', 400, 'Your key is too long'),
  malformedXml: () =>
    new S3Error(
      'MalformedXML',
      400,
      'The XML you provided was not well-formed or did not validate against our published schema',
    ),
  preconditionFailed: (condition: string) =>
    new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', {
      Condition: condition,
    }),
  notImplemented: (what: string) =>
    new S3Error(
      'NotImplemented',
      501,
      `A header or query you provided implies functionality that is not implemented: ${what}`,
    ),
  internalError: (detail: string) =>
    new S3Error('InternalError', 500, `We encountered an internal error: ${detail}`),
  invalidUri: (uri: string) =>
    new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.", { URI: uri }),
  invalidRequest: (message: string) => new S3Error('InvalidRequest', 400, message),
  /** A checksum that does not match the body, named as S3 names it (`The CRC32 you specified ...`). */
  checksumMismatch: (algorithm: string) =>
    new S3Error('BadDigest', 400, `The ${algorithm} you specified did not match the calculated checksum.`),
  incompleteBody: () =>
    new S3Error(
      'IncompleteBody',
      400,
      'You did not provide the number of bytes specified by the Content-Length HTTP header.',
    ),
  maxMessageLengthExceeded: () => new S3Error('MaxMessageLengthExceeded', 400, 'Your request was too big.'),
  noSuchUpload: (uploadId: string) =>
    new S3Error(
      'NoSuchUpload',
      404,
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: uploadId },
    ),
  invalidPart: (partNumber: number, etag: string) =>
    new S3Error(
      'InvalidPart',
      400,
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      { PartNumber: String(partNumber), ETag: etag },
    ),
  invalidPartOrder: () =>
    new S3Error(
      'InvalidPartOrder',
      400,
      'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
    ),
  entityTooSmall: (size: number, partNumber: number, etag: string) =>
    new S3Error(
      'EntityTooSmall',
      400,
      'Your proposed upload is smaller than the minimum allowed object size.',
      {
        ProposedSize: String(size),
        MinSizeAllowed: String(5 << 20),
        PartNumber: String(partNumber),
        ETag: etag,
      },
    ),
  /** GET/HEAD `?partNumber=` beyond the object's parts (an object uploaded whole has one). */
  invalidPartNumber: (requested: number, actual: number) =>
    new S3Error('InvalidPartNumber', 416, 'The requested partnumber is not satisfiable', {
      PartNumberRequested: String(requested),
      ActualPartCount: String(actual),
    }),
  /** UploadPartCopy: `x-amz-copy-source-range` not `bytes=first-last` with first <= last. */
  malformedCopySourceRange: (value: string) =>
    new S3Error(
      'InvalidArgument',
      400,
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: value },
    ),
  /** UploadPartCopy: a copy range that ends past the source's last byte. */
  copySourceRangeBeyondSize: (size: number, value: string) =>
    new S3Error('InvalidArgument', 400, `Range specified is not valid for source object of size: ${size}`, {
      ArgumentName: 'x-amz-copy-source-range',
      ArgumentValue: value,
    }),
  /** UploadPartCopy: a copy range that starts past the source's last byte. */
  copySourceRangeStartBeyondSize: () =>
    new S3Error('InvalidRequest', 400, 'The specified copy range is invalid for the source object size'),
  invalidLocationConstraint: (value: string) =>
    new S3Error('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid', {
      LocationConstraint: value,
    }),
  accessDenied: (message: string, details: Record<string, string> = {}) =>
    new S3Error('AccessDenied', 403, message, details),
  authorizationQueryParametersError: (message: string) =>
    new S3Error('AuthorizationQueryParametersError', 403, message),
  notImplementedHeader: (header: string) =>
    new S3Error(
      'NotImplemented',
      501,
      'A header you provided implies functionality that is not implemented',
      {
        Header: header,
      },
    ),
  methodNotAllowed: (method: string) =>
    new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', {
      Method: method,
    }),
};
