/**
 * Monitoring from captured endpoint traffic (SageMaker data capture JSON Lines): the model's
 * confidence over time, and how much of the traffic falls below the routing threshold. A falling
 * confidence or a rising review share is the first sign of drift.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

export interface CapturedInference {
  time: Date;
  probabilities: number[];
}

interface CaptureLine {
  captureData?: { endpointOutput?: { data?: string; encoding?: string } };
  eventMetadata?: { inferenceTime?: string };
}

/** The inferences of one capture file; lines whose output is not a probability list are skipped. */
export function parseCaptureFile(text: string): CapturedInference[] {
  const inferences: CapturedInference[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const record = JSON.parse(line) as CaptureLine;
    const output = record.captureData?.endpointOutput;
    const time = record.eventMetadata?.inferenceTime;
    if (!output?.data || !time) continue;
    const json =
      output.encoding === 'BASE64' ? Buffer.from(output.data, 'base64').toString('utf8') : output.data;
    const parsed = JSON.parse(json) as unknown;
    const probabilities = Array.isArray(parsed) ? parsed : (parsed as { prediction?: unknown }).prediction;
    if (Array.isArray(probabilities) && probabilities.every((p) => typeof p === 'number')) {
      inferences.push({ time: new Date(time), probabilities });
    }
  }
  return inferences;
}

export async function readCapturedInferences(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<CapturedInference[]> {
  const inferences: CapturedInference[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (!object.Key?.endsWith('.jsonl')) continue;
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      inferences.push(...parseCaptureFile((await body.Body?.transformToString()) ?? ''));
    }
    token = page.NextContinuationToken;
  } while (token);
  return inferences.sort((a, b) => a.time.getTime() - b.time.getTime());
}

export interface ConfidencePoint {
  start: Date;
  count: number;
  meanConfidence: number;
  /** Share of inferences whose top probability is below the threshold. */
  belowThreshold: number;
}

export function confidenceOverTime(
  inferences: CapturedInference[],
  bucketMinutes: number,
  threshold: number,
): ConfidencePoint[] {
  const width = bucketMinutes * 60_000;
  const buckets = new Map<number, number[]>();
  for (const inference of inferences) {
    const start = Math.floor(inference.time.getTime() / width) * width;
    buckets.set(start, [...(buckets.get(start) ?? []), Math.max(...inference.probabilities)]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, confidences]) => ({
      start: new Date(start),
      count: confidences.length,
      meanConfidence: confidences.reduce((sum, c) => sum + c, 0) / confidences.length,
      belowThreshold: confidences.filter((c) => c < threshold).length / confidences.length,
    }));
}

/** Axis labels at the edges stay inside the picture. */
function anchorOf(index: number, count: number): string {
  if (count > 1 && index === 0) return 'start';
  return count > 1 && index === count - 1 ? 'end' : 'middle';
}

const CHART = { width: 720, height: 320, left: 56, right: 20, top: 30, bottom: 50 };

/** A line chart: mean confidence (blue) and share below the threshold (orange), per time bucket. */
export function renderConfidenceChart(points: ConfidencePoint[], threshold: number): string {
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const x = (i: number) =>
    CHART.left + (points.length <= 1 ? plotWidth / 2 : (i * plotWidth) / (points.length - 1));
  const y = (value: number) => CHART.top + (1 - value) * plotHeight;
  const line = (values: number[], colour: string) =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${values.map((v, i) => `${x(i)},${y(v)}`).join(' ')}"/>` +
    values.map((v, i) => `<circle cx="${x(i)}" cy="${y(v)}" r="3" fill="${colour}"/>`).join('');
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (v) =>
        `<line x1="${CHART.left}" x2="${CHART.width - CHART.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>` +
        `<text x="${CHART.left - 8}" y="${y(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(2)}</text>`,
    )
    .join('');
  const labels = points
    .map((p, i) =>
      i % Math.max(1, Math.ceil(points.length / 6)) === 0
        ? `<text x="${x(i)}" y="${CHART.height - CHART.bottom + 16}" text-anchor="${anchorOf(i, points.length)}" font-size="10">${p.start.toISOString().slice(5, 16).replace('T', ' ')}</text>`
        : '',
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART.width}" height="${CHART.height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${CHART.width}" height="${CHART.height}" fill="#ffffff"/>`,
    `<text x="${CHART.left}" y="18" font-size="13" font-weight="bold">Endpoint confidence over time (captured traffic)</text>`,
    grid,
    `<line x1="${CHART.left}" x2="${CHART.width - CHART.right}" y1="${y(threshold)}" y2="${y(threshold)}" stroke="#999999" stroke-dasharray="4,3"/>`,
    `<text x="${CHART.width - CHART.right}" y="${y(threshold) - 4}" text-anchor="end" font-size="10" fill="#666666">threshold ${threshold}</text>`,
    line(
      points.map((p) => p.meanConfidence),
      '#1f77b4',
    ),
    line(
      points.map((p) => p.belowThreshold),
      '#ff7f0e',
    ),
    labels,
    `<text x="${CHART.left}" y="${CHART.height - 10}" font-size="11" fill="#1f77b4">mean top probability</text>`,
    `<text x="${CHART.left + 170}" y="${CHART.height - 10}" font-size="11" fill="#ff7f0e">share below threshold (to manual review)</text>`,
    '</svg>',
  ].join('\n');
}
