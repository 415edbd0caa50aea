/**
 * What the CLI prints about classified images: one row per image (a table for people, JSON
 * lines with --json) and a summary.
 */
import type { ExecutionRecord } from '../workflow/execution.ts';
import type { Decision, WorkflowResult } from '../workflow/types.ts';

export interface ImageOutcome {
  key: string;
  /** True label when known (the shipped test images carry it). */
  label?: string;
  predicted?: string;
  confidence?: number;
  decision: Decision | 'error';
  error?: string;
  cause?: string;
  review_item?: string;
  execution: string;
  /** The decision's id: captured record, review item and ground truth join on it. */
  inference_id?: string;
  /** Picture of the execution's path, when asked for. */
  graph?: string;
  duration_ms: number;
}

export function outcomeOf(record: ExecutionRecord, key: string, label?: string): ImageOutcome {
  const base = {
    key,
    ...(label ? { label } : {}),
    execution: record.name,
    duration_ms: record.stopDate.getTime() - record.startDate.getTime(),
  };
  if (record.status !== 'SUCCEEDED') {
    return { ...base, decision: 'error', error: record.error ?? 'UnknownError', cause: record.cause ?? '' };
  }
  const result = record.output as WorkflowResult;
  return {
    ...base,
    predicted: result.predicted_label,
    confidence: result.confidence,
    decision: result.decision,
    ...(result.inference_id ? { inference_id: result.inference_id } : {}),
    ...(result.review_item
      ? { review_item: `s3://${result.review_item.bucket}/${result.review_item.key}` }
      : {}),
  };
}

/** A short, single-line reason for a failed execution (the Lambda Cause is JSON). */
export function shortCause(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

export function formatTable(outcomes: ImageOutcome[]): string {
  const header = ['image', 'label', 'predicted', 'confidence', 'decision'];
  const rows = outcomes.map((o) => [
    o.key,
    o.label ?? '-',
    o.predicted ?? '-',
    o.confidence === undefined ? '-' : o.confidence.toFixed(3),
    o.decision === 'error' ? `error: ${o.error} (${shortCause(o.cause)})` : o.decision,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => Math.min((r[i] ?? '').length, 60))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export interface Summary {
  images: number;
  decisions: Record<Decision | 'error', number>;
  /** Over images with a known label and a prediction. */
  accuracy?: number;
  /** Rows: true label, columns: predicted label. */
  confusion?: Record<string, Record<string, number>>;
  review_rate: number;
  p50_ms: number;
}

export function summarize(outcomes: ImageOutcome[]): Summary {
  const decisions = { 'short-range': 0, 'long-range': 0, 'manual-review': 0, error: 0 };
  for (const o of outcomes) decisions[o.decision] += 1;
  const labelled = outcomes.filter((o) => o.label && o.predicted);
  const confusion: Record<string, Record<string, number>> = {};
  for (const o of labelled) {
    const row = confusion[o.label as string] ?? {};
    row[o.predicted as string] = (row[o.predicted as string] ?? 0) + 1;
    confusion[o.label as string] = row;
  }
  const durations = outcomes.map((o) => o.duration_ms).sort((a, b) => a - b);
  return {
    images: outcomes.length,
    decisions,
    ...(labelled.length > 0
      ? { accuracy: labelled.filter((o) => o.label === o.predicted).length / labelled.length, confusion }
      : {}),
    review_rate: outcomes.length ? decisions['manual-review'] / outcomes.length : 0,
    p50_ms: durations[Math.floor(durations.length / 2)] ?? 0,
  };
}

export function formatSummary(summary: Summary, threshold: number): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const d = summary.decisions;
  const lines = [
    `${summary.images} images: ${d['short-range']} short-range, ${d['long-range']} long-range, ` +
      `${d['manual-review']} manual review, ${d.error} errors`,
    `review rate at threshold ${threshold}: ${pct(summary.review_rate)}; p50 execution ${summary.p50_ms} ms`,
  ];
  if (summary.accuracy !== undefined && summary.confusion) {
    lines.push(`accuracy: ${pct(summary.accuracy)}`);
    const labels = [
      ...new Set(Object.keys(summary.confusion).concat(...Object.values(summary.confusion).map(Object.keys))),
    ].sort();
    const width = Math.max(10, ...labels.map((l) => l.length));
    lines.push(`confusion (rows: true label, columns: predicted)`);
    lines.push(['', ...labels].map((c) => c.padStart(width)).join(' '));
    for (const actual of labels) {
      const counts = labels.map((p) => String(summary.confusion?.[actual]?.[p] ?? 0));
      lines.push([actual, ...counts].map((c) => c.padStart(width)).join(' '));
    }
  }
  return lines.join('\n');
}
