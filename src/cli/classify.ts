/** `scones classify <file | s3://bucket/key>...` */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../aws/s3-uri.ts';
import { type BatchOptions, classifyPrefix, isPrefixUri } from './classify-batch.ts';
import { localModelEndpoint } from './local-model.ts';
import { log } from './log.ts';
import { formatTable, type ImageOutcome } from './report.ts';
import { type ImageRef, printOutcomes, runImages } from './run-images.ts';
import { type OpenWorkflow, openWorkflow } from './workflow-target.ts';

export interface ClassifyOptions extends BatchOptions {
  json?: boolean;
  graph?: string;
}

/** Where the workflow finds the image: an s3:// URI as given, a local file copied to the bucket. */
async function locate(workflow: OpenWorkflow, image: string): Promise<ImageRef> {
  const location = parseS3Uri(image);
  if (location?.key) return location;
  // The original stays where it is; the copy is named by its content.
  const body = await readFile(image);
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const key = `uploads/${digest}/${path.basename(image)}`;
  await workflow.s3.send(new PutObjectCommand({ Bucket: workflow.bucket, Key: key, Body: body }));
  return { bucket: workflow.bucket, key };
}

export async function classifyCommand(images: string[], options: ClassifyOptions): Promise<void> {
  // A prefix URI (s3://bucket/prefix/) is one batch: every image under it, in the batch state machine.
  if (images.some(isPrefixUri)) {
    if (images.length > 1) {
      throw new Error(
        'a prefix (s3://bucket/prefix/) classifies every image under it as one batch: give it alone',
      );
    }
    return classifyPrefix(images[0] as string, options);
  }
  if (options.maxConcurrency !== undefined || options.toleratedFailurePercentage !== undefined) {
    throw new Error(
      '--max-concurrency and --tolerated-failure-percentage apply to a batch over a prefix (s3://bucket/prefix/)',
    );
  }
  // The local S3 in this thread: its own thread takes about 300 ms to start, and at this command's
  // pace (uploads, then 8 executions at a time) it gained nothing even over 1,000 images here.
  const workflow = await openWorkflow(
    { ...options, history: !!options.graph, threads: false },
    localModelEndpoint(false),
  );
  try {
    const outcomes: (ImageOutcome | undefined)[] = [];
    const refs: ImageRef[] = [];
    for (const image of images) {
      try {
        refs.push(await locate(workflow, image));
        outcomes.push(undefined);
      } catch (error) {
        // An input that cannot even be read is an outcome like a bad image, not a crash.
        const err = error as NodeJS.ErrnoException;
        const name = err.code === 'ENOENT' ? 'FileNotFound' : err.name;
        outcomes.push({
          key: image,
          decision: 'error',
          error: name,
          cause: err.message,
          execution: '-',
          duration_ms: 0,
        });
      }
    }
    const ran = await runImages(workflow, refs, options.graph ? { graphDir: options.graph } : {});
    const merged = outcomes.map((outcome) => outcome ?? (ran.shift() as ImageOutcome));
    printOutcomes(merged, !!options.json, formatTable);
  } finally {
    await workflow.close();
  }
  if (workflow.logFile) log(`Lambda logs and metrics of this run: ${workflow.logFile}`);
}
