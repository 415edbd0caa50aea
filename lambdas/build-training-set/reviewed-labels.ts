/**
 * Reviewed labels joined to their images: ground truth (Model Monitor's merge format, one label per
 * reviewed inference, written by `scones review`) joined by inference id to the endpoint's data
 * capture, whose request body is the image the model saw. Labels that cannot be used are counted by
 * reason, never thrown: a bad label must not fail a retraining.
 */
import type { SkippedLabels } from '../../src/workflow/retraining-types.ts';
import { CLASS_LABELS } from '../../src/workflow/types.ts';
import type { ObjectStore } from '../shared/s3-objects.ts';

export interface ReviewedImage {
  inferenceId: string;
  label: number;
  image: Uint8Array;
}

function lines(bytes: Uint8Array): string[] {
  return Buffer.from(bytes)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** The label's class index, 'unusable' for a label naming no class, undefined when malformed. */
export function parseLabel(line: string): { eventId: string; label: number | 'unusable' } | undefined {
  let record: { groundTruthData?: { data?: unknown }; eventMetadata?: { eventId?: unknown } };
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  const eventId = record?.eventMetadata?.eventId;
  const data = record?.groundTruthData?.data;
  if (typeof eventId !== 'string' || eventId === '') return undefined;
  const text = typeof data === 'number' ? String(data) : typeof data === 'string' ? data : undefined;
  // CSV encoding: the label is the first field.
  const label = text
    ?.split(',')[0]
    ?.trim()
    .replace(/^"(.*)"$/, '$1');
  if (!label) return undefined;
  const byName = CLASS_LABELS.findIndex((name) => name.toLowerCase() === label.toLowerCase());
  if (byName >= 0) return { eventId, label: byName };
  if (/^\d+$/.test(label) && Number(label) < CLASS_LABELS.length) return { eventId, label: Number(label) };
  return { eventId, label: 'unusable' };
}

/** The request body of a capture line and its inference id (or event id), if it has both. */
function capturedImage(line: string): { id: string; image: Uint8Array } | undefined {
  try {
    const record = JSON.parse(line) as {
      captureData?: { endpointInput?: { data?: unknown; encoding?: unknown } };
      eventMetadata?: { inferenceId?: unknown; eventId?: unknown };
    };
    const input = record.captureData?.endpointInput;
    const id = record.eventMetadata?.inferenceId ?? record.eventMetadata?.eventId;
    if (typeof id !== 'string' || typeof input?.data !== 'string' || input.data === '') return undefined;
    const image =
      input.encoding === 'BASE64' ? Buffer.from(input.data, 'base64') : Buffer.from(input.data, 'utf8');
    return { id, image: new Uint8Array(image) };
  } catch {
    return undefined;
  }
}

export async function readReviewedImages(
  store: ObjectStore,
  bucket: string,
  groundTruthPrefix: string,
  capturePrefix: string,
): Promise<{ images: ReviewedImage[]; skipped: SkippedLabels }> {
  const skipped: SkippedLabels = { malformed: 0, unusable_label: 0, missing_image: 0, contradicting: 0 };
  const labels = new Map<string, Set<number | 'unusable'>>();
  for (const key of await store.list(bucket, groundTruthPrefix)) {
    const body = await store.read(bucket, key);
    for (const line of body ? lines(body) : []) {
      const parsed = parseLabel(line);
      if (!parsed) {
        skipped.malformed++;
        continue;
      }
      const seen = labels.get(parsed.eventId) ?? new Set();
      seen.add(parsed.label);
      labels.set(parsed.eventId, seen);
    }
  }
  const wanted = new Map<string, number>();
  for (const [id, seen] of labels) {
    if (seen.size > 1) skipped.contradicting++;
    else if (seen.has('unusable')) skipped.unusable_label++;
    else wanted.set(id, [...seen][0] as number);
  }
  const found = new Map<string, Uint8Array>();
  if (wanted.size > 0) {
    for (const key of await store.list(bucket, capturePrefix)) {
      if (!key.endsWith('.jsonl')) continue;
      const body = await store.read(bucket, key);
      for (const line of body ? lines(body) : []) {
        const captured = capturedImage(line);
        if (captured && wanted.has(captured.id)) found.set(captured.id, captured.image);
      }
    }
  }
  const images: ReviewedImage[] = [];
  for (const [inferenceId, label] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    const image = found.get(inferenceId);
    if (image) images.push({ inferenceId, label, image });
    else skipped.missing_image++;
  }
  return { images, skipped };
}
