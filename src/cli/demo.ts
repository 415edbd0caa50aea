/** `scones demo`: the README's main job on the embedded tier. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_PREFIX, manifestKey, normalizePrefix, stage } from '../../training/stage.ts';
import { CLASS_LABELS } from '../workflow/types.ts';
import { formatSummary, formatTable, summarize } from './report.ts';
import { type ImageRef, printOutcomes, runImages } from './run-images.ts';
import { openWorkflow, type WorkflowOptions } from './workflow-target.ts';

export interface DemoOptions extends WorkflowOptions {
  json?: boolean;
  limit?: number;
  graph?: string;
}

export async function demoCommand(options: DemoOptions): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const workflow = await openWorkflow({ ...options, target: 'embedded' });
  try {
    const prefix = normalizePrefix(DEFAULT_PREFIX);
    log(`staging the shipped CIFAR-100 images into s3://${workflow.bucket}/${prefix} ...`);
    const report = await stage({ bucket: workflow.bucket, prefix, s3Client: workflow.s3 });
    log(
      `staged: ${report.uploaded} uploaded, ${report.unchanged} unchanged (${report.seconds.toFixed(2)} s)`,
    );
    let images = await listTestImages(workflow.s3, workflow.bucket, prefix);
    if (options.limit !== undefined) images = images.slice(0, options.limit);
    log(`running the workflow for ${images.length} test images on ${workflow.describe}`);
    const outcomes = await runImages(workflow, images, options.graph ? { graphDir: options.graph } : {});
    printOutcomes(outcomes, !!options.json, formatTable);
    log(formatSummary(summarize(outcomes), workflow.threshold));
  } finally {
    await workflow.close();
  }
}

/** The test split as staged: manifest lines are `index<TAB>class<TAB>path under test/`. */
export async function listTestImages(s3: S3Client, bucket: string, prefix: string): Promise<ImageRef[]> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey(prefix, 'test') }));
  const text = (await response.Body?.transformToString()) ?? '';
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [, classIndex, relativePath] = line.split('\t');
      const label = CLASS_LABELS[Number(classIndex)];
      return { bucket, key: `${prefix}test/${relativePath}`, ...(label ? { label } : {}) };
    });
}
