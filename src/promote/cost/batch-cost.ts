/**
 * What classifying through the batch (`scones classify s3://bucket/prefix/`) adds to the
 * per-image workflow: each image is one child workflow execution of the Distributed Map (Standard
 * workflow transitions, priced like any other: "AWS Step Functions pricing", Distributed Map child
 * workflows are billed as executions), and the summary Lambda runs once per batch. The result files
 * are a handful of S3 PUTs per batch.
 */
import { LAMBDA_PER_GB_SECOND, LAMBDA_PER_REQUEST, SFN_PER_TRANSITION } from './prices.ts';
import type { CostLine } from './types.ts';

export const BATCH_ASSUMPTIONS = {
  /** One child workflow: its ClassifyImage task (entered, exited); a failed image adds two more. */
  transitionsPerImage: 2,
  /** Images per batch the summary's cost is spread over. */
  imagesPerBatch: 10_000,
  /** SummarizeBatch: 0.5 GB for ~5 s per 10,000 images. */
  summaryGbSeconds: 2.5,
};

export function batchUsdPerThousand(): number {
  const perBatch = LAMBDA_PER_REQUEST + BATCH_ASSUMPTIONS.summaryGbSeconds * LAMBDA_PER_GB_SECOND;
  return (
    1000 * BATCH_ASSUMPTIONS.transitionsPerImage * SFN_PER_TRANSITION +
    (1000 / BATCH_ASSUMPTIONS.imagesPerBatch) * perBatch
  );
}

/** Shown beside the workflow's line; not in the monthly total (batches run when someone asks). */
export function batchCostLine(round: (usd: number) => number): CostLine {
  return {
    item: 'batch over a prefix (Distributed Map), on top of the workflow',
    basis: `${BATCH_ASSUMPTIONS.transitionsPerImage} child-workflow transitions per image, the summary Lambda once per batch of ~${BATCH_ASSUMPTIONS.imagesPerBatch.toLocaleString('en-US')}; only for images classified as a batch (not in the monthly total)`,
    usd: round(batchUsdPerThousand()),
    period: 'per 1,000 requests',
  };
}
