/**
 * `scones demo`: the README's main job on the embedded tier. Stages the shipped CIFAR-100 data,
 * trains the classifier when no model exists yet (or serves the one trained before), runs the
 * workflow for the 200 test images and sums up: accuracy, confusion matrix, review rate, and
 * where the endpoint's captured traffic went.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { manifestKey } from '../../training/stage.ts';
import { parseManifest } from '../../training/staged-dataset.ts';
import { channelPrefix } from '../../training/staged-layout.ts';
import { type KitConfig, loadConfig } from '../config.ts';
import { createStubPredictor } from '../embedded/predictors.ts';
import { CLASS_LABELS } from '../workflow/types.ts';
import { datasetPrefix, localModelPredictor, stageData } from './local-model.ts';
import { log } from './log.ts';
import { formatSummary, formatTable, summarize } from './report.ts';
import { type ImageRef, printOutcomes, runImages } from './run-images.ts';
import { openWorkflow, type WorkflowOptions } from './workflow-target.ts';

export interface DemoOptions extends WorkflowOptions {
  json?: boolean;
  limit?: number;
  graph?: string;
}

/** Prefix of captured endpoint traffic in the embedded bucket (as a DataCaptureConfig's). */
export const CAPTURE_PREFIX = 'data_capture';

export async function demoCommand(options: DemoOptions): Promise<void> {
  const bucket = loadConfig({ SCONES_TARGET: 'embedded' }).bucket;
  const captureUri = `s3://${bucket}/${CAPTURE_PREFIX}`;
  // Staging comes first: training (when no model exists yet) reads the staged channels.
  const loadModel = localModelPredictor(true);
  const stageThenServe = async (s3: S3Client, config: KitConfig) => {
    await stageData(s3, config.bucket);
    return options.stub ? createStubPredictor() : loadModel(s3, config);
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
  log(formatSummary(summarize(outcomes), workflow.threshold));
  if (!options.stub)
    log(
      `endpoint traffic captured (SageMaker data capture format) under ${captureUri}/; chart it with \`scones monitor\``,
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
