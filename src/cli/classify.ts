/** `scones classify <file | s3://bucket/key>...` */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { localModelPredictor } from './local-model.ts';
import { formatTable } from './report.ts';
import { type ImageRef, printOutcomes, runImages } from './run-images.ts';
import { openWorkflow, type WorkflowOptions } from './workflow-target.ts';

export interface ClassifyOptions extends WorkflowOptions {
  json?: boolean;
  graph?: string;
}

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;

export async function classifyCommand(images: string[], options: ClassifyOptions): Promise<void> {
  const workflow = await openWorkflow({ ...options, history: !!options.graph }, localModelPredictor(false));
  try {
    const refs: ImageRef[] = [];
    for (const image of images) {
      const match = S3_URI.exec(image);
      if (match) {
        refs.push({ bucket: match[1] as string, key: match[2] as string });
        continue;
      }
      // A local file is copied into the target's bucket; the original stays where it is.
      const body = await readFile(image);
      const digest = createHash('sha256').update(body).digest('hex').slice(0, 12);
      const key = `uploads/${digest}/${path.basename(image)}`;
      await workflow.s3.send(new PutObjectCommand({ Bucket: workflow.bucket, Key: key, Body: body }));
      refs.push({ bucket: workflow.bucket, key });
    }
    const outcomes = await runImages(workflow, refs, options.graph ? { graphDir: options.graph } : {});
    printOutcomes(outcomes, !!options.json, formatTable);
  } finally {
    await workflow.close();
  }
}
