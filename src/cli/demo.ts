/**
 * `scones demo`: the README's main job on the embedded tier. Stages the shipped CIFAR-100 data,
 * trains the classifier when no model exists yet (or serves the one trained before), runs the
 * workflow for the 200 test images and sums up: accuracy, confusion matrix, review rate, and
 * where the endpoint's captured traffic went.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseManifest } from '../../training/staged-dataset.ts';
import { channelPrefix, manifestKey } from '../../training/staged-layout.ts';
import { loadConfig } from '../config.ts';
import type { WorkflowEndpointFactory } from '../embedded/runtime.ts';
import { createStubPredictor } from '../embedded/sagemaker-runtime/index.ts';
import { DEFAULT_DATA_DIR } from '../embedded/shared/index.ts';
import { CLASS_LABELS } from '../workflow/types.ts';
import { CAPTURE_PREFIX, datasetPrefix, localModelEndpoint, stageData } from './local-model.ts';
import { log } from './log.ts';
import { DEFAULT_REPORT, DEFAULT_REVIEW_PORT } from './options.ts';
import { formatSummary, formatTable, summarize } from './report.ts';
import { type ImageRef, printOutcomes, runImages } from './run-images.ts';
import { openWorkflow, type WorkflowOptions } from './workflow-target.ts';

export interface DemoOptions extends WorkflowOptions {
  json?: boolean;
  limit?: number;
  graph?: string;
}

export { CAPTURE_PREFIX };

export async function demoCommand(options: DemoOptions): Promise<void> {
  // Captured records keep whole seconds: the report's range starts at the run's second.
  const runStart = new Date(Math.floor(Date.now() / 1000) * 1000);
  const bucket = loadConfig({ SCONES_TARGET: 'embedded' }).bucket;
  const captureUri = `s3://${bucket}/${CAPTURE_PREFIX}`;
  // Staging comes first: training (when no model exists yet) reads the staged channels.
  const trainedModel = localModelEndpoint(true);
  const stageThenServe: WorkflowEndpointFactory = async (s3, config) => {
    await stageData(s3, config.bucket);
    return options.stub ? { predictor: createStubPredictor() } : trainedModel(s3, config);
  };
  // Only the model's traffic is captured: stub answers would pollute the monitoring data.
  const capture = options.stub ? {} : { captureUri };
  const workflow = await openWorkflow(
    { ...options, stub: false, target: 'embedded', ...capture },
    stageThenServe,
  );
  let outcomes: Awaited<ReturnType<typeof runImages>>;
  try {
    const prefix = datasetPrefix();
    let images = await listTestImages(workflow.s3, workflow.bucket, prefix);
    if (options.limit !== undefined) images = images.slice(0, options.limit);
    log(`running the workflow for ${images.length} test images on ${workflow.describe}`);
    outcomes = await runImages(workflow, images, options.graph ? { graphDir: options.graph } : {});
    printOutcomes(outcomes, !!options.json, formatTable);
  } finally {
    await workflow.close();
  }
  const summary = summarize(outcomes);
  log(formatSummary(summary, workflow.threshold));
  if (workflow.logFile)
    log(`Lambda logs and metrics (JSON lines, CloudWatch EMF) of this run: ${workflow.logFile}`);
  await pointAtReviewAndReport(options, runStart, summary.decisions['manual-review'], captureUri);
}

/**
 * The end of the demo: the monitor report of this run (captured traffic, the Lambdas' metrics,
 * alarms) and the review page where its low-confidence images wait for a person.
 */
async function pointAtReviewAndReport(
  options: DemoOptions,
  runStart: Date,
  toReview: number,
  captureUri: string,
) {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const dataDirFlag = dataDir === DEFAULT_DATA_DIR ? '' : ` --data-dir ${dataDir}`;
  if (options.stub) {
    log(
      "the stub endpoint's traffic is not captured: run `scones demo` without --stub for the monitor report",
    );
  } else {
    log(`endpoint traffic captured (SageMaker data capture format) under ${captureUri}/`);
    // Loaded here only: the report draws its charts with Vega.
    const { monitorCommand } = await import('./monitor-action.ts');
    await monitorCommand({ target: 'embedded', dataDir, since: runStart.toISOString(), out: DEFAULT_REPORT });
  }
  log(
    `${toReview} image${toReview === 1 ? '' : 's'} of this run wait for manual review: ` +
      `\`npx scones review${dataDirFlag}\` serves them at http://127.0.0.1:${DEFAULT_REVIEW_PORT}/`,
  );
}

/** The test split as staged, with each image's true label from its manifest. */
export async function listTestImages(s3: S3Client, bucket: string, prefix: string): Promise<ImageRef[]> {
  const manifest = manifestKey(prefix, 'test');
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifest }));
  const lines = parseManifest((await response.Body?.transformToString()) ?? '', `s3://${bucket}/${manifest}`);
  return lines.map(({ classIndex, path }) => {
    const label = CLASS_LABELS[classIndex];
    return { bucket, key: `${channelPrefix(prefix, 'test')}${path}`, ...(label ? { label } : {}) };
  });
}
