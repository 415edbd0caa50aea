/**
 * Every captured inference under a prefix as a list, oldest first: for tests and small scripts
 * that want to look at a capture whole. The report itself never holds the records (collect.ts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { parseCaptureLine } from './capture-record.ts';
import { forEachS3Line } from './s3-lines.ts';
import type { CapturedInference } from './types.ts';

export async function readCapturedInferences(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<CapturedInference[]> {
  const inferences: CapturedInference[] = [];
  await forEachS3Line({ s3, bucket, prefix }, (line) => {
    const parsed = parseCaptureLine(line);
    if ('inference' in parsed) inferences.push(parsed.inference);
  });
  return inferences.sort((a, b) => a.timeMs - b.timeMs);
}
