/**
 * Runs the workflow for many images with bounded concurrency. A failed execution is an outcome
 * like any other (decision "error"); only a broken runner rejects.
 */
import type { ExecutionRecord } from '../workflow/execution.ts';
import type { ImageEvent } from '../workflow/types.ts';
import { type ImageOutcome, outcomeOf } from './report.ts';

export interface WorkflowRunner {
  run(event: ImageEvent, name?: string): Promise<ExecutionRecord>;
}

export interface ImageRef {
  bucket: string;
  key: string;
  label?: string;
}

export interface RunOptions {
  concurrency?: number;
  /** Write a picture of each execution's path into this folder. */
  graphDir?: string;
}

export async function runImages(
  runner: WorkflowRunner,
  images: ImageRef[],
  options: RunOptions = {},
): Promise<ImageOutcome[]> {
  const concurrency = options.concurrency ?? 8;
  const outcomes: ImageOutcome[] = new Array(images.length);
  // The progress bar and the pictures (sharp) are loaded only when used.
  const bar =
    process.stderr.isTTY && images.length > 1
      ? new (await import('cli-progress')).SingleBar({ stream: process.stderr, clearOnComplete: true })
      : undefined;
  const graphs = options.graphDir ? await import('./graph.ts') : undefined;
  bar?.start(images.length, 0);
  let next = 0;
  async function worker() {
    while (next < images.length) {
      const index = next++;
      const image = images[index] as ImageRef;
      const record = await runner.run({ image_data: '', s3_bucket: image.bucket, s3_key: image.key });
      const outcome = outcomeOf(record, image.key, image.label);
      if (graphs && options.graphDir)
        outcome.graph = await graphs.writeExecutionGraph(options.graphDir, record);
      outcomes[index] = outcome;
      bar?.increment();
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, images.length) }, worker));
  } finally {
    bar?.stop();
  }
  return outcomes;
}

export function printOutcomes(
  outcomes: ImageOutcome[],
  json: boolean,
  table: (o: ImageOutcome[]) => string,
): void {
  if (json) {
    for (const outcome of outcomes) process.stdout.write(`${JSON.stringify(outcome)}\n`);
  } else {
    process.stdout.write(`${table(outcomes)}\n`);
  }
}
