/**
 * Ground truth in Model Monitor's merge format (JSON Lines under `ground_truth/yyyy/mm/dd/hh/`,
 * the hour being when the label was collected, written by `scones review`):
 *
 *   {"groundTruthData": {"data": "bicycle", "encoding": "CSV"},
 *    "eventMetadata": {"eventId": "<inference id>"}, "eventVersion": "0"}
 *
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-model-quality-merge.html).
 * `eventId` is the captured record's inference id (or, for captures without one, its event id).
 * Labels are read whole into a map (they are one per reviewed item, far fewer than inferences);
 * the capture stream is then joined against it record by record.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { forEachS3Line } from './s3-lines.ts';

export interface GroundTruth {
  /** Event id -> label as written (a class name, a class index, or e.g. "neither"). */
  labels: Map<string, string>;
  objects: number;
  /** Lines that were no ground-truth record, by reason. */
  skipped: Record<string, number>;
}

type GroundTruthLineResult = { eventId: string; label: string } | { skipped: string };

export function parseGroundTruthLine(line: string): GroundTruthLineResult {
  let record: {
    groundTruthData?: { data?: unknown; encoding?: unknown };
    eventMetadata?: { eventId?: unknown };
  };
  try {
    record = JSON.parse(line);
  } catch {
    return { skipped: 'not JSON' };
  }
  const eventId = record?.eventMetadata?.eventId;
  if (typeof eventId !== 'string' || !eventId) return { skipped: 'no eventMetadata.eventId' };
  const data = record.groundTruthData?.data;
  let label: unknown = data;
  if (record.groundTruthData?.encoding === 'JSON' && typeof data === 'string') {
    try {
      label = JSON.parse(data);
    } catch {
      return { skipped: 'groundTruthData is not JSON' };
    }
  } else if (typeof data === 'string') {
    // CSV: the label is the first field.
    label = data
      .split(',')[0]
      ?.trim()
      .replace(/^"(.*)"$/, '$1');
  }
  if (typeof label === 'number' && Number.isInteger(label)) label = String(label);
  if (typeof label !== 'string' || !label) return { skipped: 'no groundTruthData.data label' };
  return { eventId, label };
}

export async function readGroundTruth(s3: S3Client, bucket: string, prefix: string): Promise<GroundTruth> {
  const truth: GroundTruth = { labels: new Map(), objects: 0, skipped: {} };
  // One small object per label (the review layout): many GETs, so more of them in flight.
  const read = await forEachS3Line({ s3, bucket, prefix, concurrency: 16 }, (line) => {
    const result = parseGroundTruthLine(line);
    if ('skipped' in result) truth.skipped[result.skipped] = (truth.skipped[result.skipped] ?? 0) + 1;
    else truth.labels.set(result.eventId, result.label);
  });
  truth.objects = read.objects;
  return truth;
}

/**
 * The class index a label names (by class name, case-insensitive, or by index), or 'unusable'
 * for a label that names no class (a reviewer's "neither / unusable").
 */
export function labelIndex(label: string, classNames: readonly string[]): number | 'unusable' {
  const byName = classNames.findIndex((name) => name.toLowerCase() === label.toLowerCase());
  if (byName >= 0) return byName;
  if (/^\d+$/.test(label) && Number(label) < classNames.length) return Number(label);
  return 'unusable';
}
