/**
 * One load run: images from the staged test split (generator.ts), uploaded under the intake
 * prefix as the plan paces them (pacing.ts), each key's outcome found through its execution
 * (an OutcomeSource), live progress, then the report. The same code runs every target; only the
 * S3 client and the outcome source differ.
 *
 *   const report = await runLoad({ s3, bucket, intakePrefix: 'incoming/', sources,
 *     plan: { mode: 'burst', count: 1000, concurrency: 32 }, seed: 1,
 *     outcomes: engineOutcomes(runtime.engine, bucket), target: 'embedded' });
 *   report.lost   // uploaded - decided - failed: 0 unless something lost an upload
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DriftKind } from './drift.ts';
import { LoadImages, newRunId } from './generator.ts';
import { OutcomeBook, type OutcomeSource } from './outcomes.ts';
import { pace, plannedUploads, type UploadPlan } from './pacing.ts';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_SEED } from './plan-options.ts';
import { createProgress, type ProgressMode, type ProgressSnapshot } from './progress.ts';
import { buildReport, type LoadReport } from './report.ts';
import type { SourceImage } from './source-images.ts';

export { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_SEED };

const PROGRESS_EVERY_MS = 250;

export interface LoadRunOptions {
  s3: S3Client;
  bucket: string;
  intakePrefix: string;
  /** The staged test images to draw from (loadTestSplit; decoded when there is a drift). */
  sources: readonly SourceImage[];
  plan: UploadPlan;
  seed?: number;
  drift?: DriftKind;
  /** Part of every key; default a new one (time + random). */
  runId?: string;
  outcomes: OutcomeSource;
  /** For the report, e.g. `embedded (stub endpoint)`. */
  target: string;
  idleTimeoutMs?: number;
  progress?: ProgressMode;
  /** Stops the uploads; outcomes of what was uploaded are still awaited. */
  signal?: AbortSignal;
}

export async function runLoad(options: LoadRunOptions): Promise<LoadReport> {
  const seed = options.seed ?? DEFAULT_SEED;
  const planned = plannedUploads(options.plan);
  const images = new LoadImages(options.sources, {
    seed,
    total: planned,
    runId: options.runId ?? newRunId(),
    intakePrefix: options.intakePrefix,
    ...(options.drift ? { drift: options.drift } : {}),
  });
  const book = new OutcomeBook();
  const uploadErrors = new Map<string, number>();
  const startedMs = Date.now();
  options.outcomes.start(images.keyPrefix, startedMs, (outcome) => book.record(outcome));

  const progress = createProgress(options.progress ?? 'none');
  const snapshot = (): ProgressSnapshot => {
    const now = Date.now();
    const oldest = book.oldestPendingAckMs();
    return {
      planned,
      uploaded: book.keys.size,
      uploadFailed: [...uploadErrors.values()].reduce((sum, n) => sum + n, 0),
      decisions: { ...book.decisions },
      failed: book.failed,
      inFlight: book.pending,
      lagMs: oldest === undefined ? 0 : now - oldest,
      elapsedMs: now - startedMs,
    };
  };
  const ticker =
    options.progress && options.progress !== 'none'
      ? setInterval(() => progress.update(snapshot()), PROGRESS_EVERY_MS)
      : undefined;

  const upload = async (index: number) => {
    try {
      const image = await images.at(index);
      await options.s3.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: image.key,
          Body: image.body,
          ContentType: 'image/png',
        }),
      );
      book.acked({
        key: image.key,
        index,
        label: image.label,
        strength: image.strength,
        ackMs: Date.now(),
      });
    } catch (error) {
      // Not uploaded, so not lost either: counted by error name.
      const name = (error as Error).name || 'Error';
      uploadErrors.set(name, (uploadErrors.get(name) ?? 0) + 1);
    }
  };

  let report: LoadReport;
  try {
    const pacing = await pace(options.plan, upload, options.signal);
    const settled = await book.settled(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
    if (!settled) await options.outcomes.recheck(book.pendingKeys());
    report = buildReport({
      runId: images.spec.runId,
      target: options.target,
      outcomesFrom: options.outcomes.describe,
      plan: options.plan,
      planned,
      keyPrefix: images.keyPrefix,
      drift: options.drift,
      seed,
      book,
      uploadErrors,
      pacing,
      startedMs,
      endedMs: Date.now(),
    });
  } finally {
    if (ticker) clearInterval(ticker);
    if (options.progress && options.progress !== 'none') progress.update(snapshot());
    progress.stop();
    await options.outcomes.stop();
  }
  return report;
}
