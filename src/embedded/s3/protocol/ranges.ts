/**
 * Byte ranges of the S3 wire: a GET's `Range` header, and UploadPartCopy's
 * `x-amz-copy-source-range`, whose rules are stricter and whose errors differ.
 */
import { s3Errors } from './errors.ts';

export interface ByteRange {
  /** First byte, zero-based. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/** Parses a single `bytes=a-b` / `bytes=a-` / `bytes=-n` range; S3 ignores other forms. */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [first, last] = [match[1] as string, match[2] as string];
  const start = first === '' ? Math.max(0, size - Number(last)) : Number(first);
  const end = first === '' || last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || start > end || (first === '' && Number(last) === 0)) {
    throw s3Errors.invalidRange(size, header as string);
  }
  return { start, end };
}

/**
 * UploadPartCopy's `x-amz-copy-source-range`: exactly `bytes=first-last`, first <= last
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html, "The range value must
 * use the form bytes=first-last, where the first and last are the zero-based byte offsets to
 * copy"). The API reference lists no error for a bad one; S3 answers 400, not the 416 InvalidRange
 * of a GET: InvalidArgument for a malformed range or one that ends past the source, InvalidRequest
 * for one that starts past it (as recorded against AWS in LocalStack's
 * `tests/aws/services/s3/test_s3_api.py::TestS3Multipart::test_upload_part_copy_range` snapshot).
 * Without the header the whole source is the part.
 */
export function parseCopySourceRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return { start: 0, end: size - 1 };
  const match = header.match(/^bytes=(\d+)-(\d+)$/);
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  if (!match || start > end) throw s3Errors.malformedCopySourceRange(header);
  if (start >= size) throw s3Errors.copySourceRangeStartBeyondSize();
  if (end >= size) throw s3Errors.copySourceRangeBeyondSize(size, header);
  return { start, end };
}
