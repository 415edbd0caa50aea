/**
 * `scones review`: the manual-review page on 127.0.0.1 over the bucket of the chosen target, until
 * Ctrl-C. On the embedded tier it uses a running local S3 when `AWS_ENDPOINT_URL_S3` (or
 * `AWS_ENDPOINT_URL`) points at one, e.g. `scones up`; otherwise it serves the data folder itself
 * for the life of the command (one process per data folder).
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createCloudWatchClient } from '../aws/clients.ts';
import { endpointEnvironment, type KitConfig, loadConfig } from '../config.ts';
import { DEFAULT_DATA_DIR } from '../embedded/shared/index.ts';
import { reviewedLabelsCounter } from '../review/label-metrics.ts';
import { startReviewServer } from '../review/server.ts';
import { type StartedTarget, startTarget, type TargetKind } from '../targets/index.ts';
import { log } from './log.ts';
import { DEFAULT_REVIEW_PORT } from './options.ts';

export interface ReviewOptions {
  port?: number;
  target?: string;
  dataDir?: string;
  reviewer?: string;
}

interface OpenBucket {
  s3: S3Client;
  config: KitConfig;
  describe: string;
  /** Counts each label in the target's CloudWatch (what starts a retraining); none without one. */
  countLabel?: () => Promise<void>;
  close(): Promise<void>;
}

/**
 * Where each placement's CloudWatch is: a running stack serves it on its one port (the S3
 * endpoint, unless AWS_ENDPOINT_URL_CLOUDWATCH says otherwise); a deployed stack has its own; the
 * embedded data folder served by this command has none (`scones up` counts labels).
 */
const CLOUDWATCH: Record<TargetKind, (target: StartedTarget) => CloudWatchClient | undefined> = {
  embedded: () => undefined,
  stack: ({ config }) =>
    createCloudWatchClient(
      loadConfig({
        ...process.env,
        SCONES_TARGET: 'embedded',
        ...endpointEnvironment({
          cloudwatch: process.env.AWS_ENDPOINT_URL_CLOUDWATCH ?? (config.endpointFor('s3') as string),
        }),
      }),
    ),
  deployed: ({ clients }) => clients.cloudwatch,
};

/** The reviewer's name: --reviewer, else $SCONES_REVIEWER, else the login name. */
export function reviewerName(option: string | undefined): string {
  let login: string | undefined;
  try {
    login = userInfo().username;
  } catch {
    login = undefined; // no passwd entry (some containers)
  }
  const name = (option ?? process.env.SCONES_REVIEWER ?? login ?? 'reviewer').trim();
  if (!/^[^\p{Cc}]{1,100}$/u.test(name))
    throw new Error(`--reviewer must be 1 to 100 printable characters; got ${JSON.stringify(name)}`);
  return name;
}

/** Each placement's words on the page and in the log. */
const DESCRIBE: Record<TargetKind, (target: StartedTarget) => string> = {
  embedded: ({ names }) => `embedded, ${resolve(names.dataDir ?? DEFAULT_DATA_DIR, 's3')}`,
  stack: ({ config }) => `embedded, S3 at ${config.endpointFor('s3')}`,
  deployed: ({ target }) => target,
};

/**
 * The bucket of the target. Like the embedded runtime, the embedded tier takes only its S3
 * endpoint from the environment (a running stack's); otherwise the data folder is served here.
 */
async function openBucket(target: string, dataDir: string): Promise<OpenBucket> {
  const { AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL } = process.env;
  const endpoints = {
    ...(AWS_ENDPOINT_URL ? { AWS_ENDPOINT_URL } : {}),
    ...(AWS_ENDPOINT_URL_S3 ? { AWS_ENDPOINT_URL_S3 } : {}),
  };
  const opened = await startTarget({
    target,
    dataDir,
    embedded: { store: 'write', env: endpoints },
    runningStack: { env: endpoints },
  });
  const cloudwatch = CLOUDWATCH[opened.kind](opened);
  if (!cloudwatch)
    log(
      'labels are not counted in CloudWatch here (no retraining starts from them): review against `scones up` for that',
    );
  return {
    s3: opened.clients.s3,
    config: opened.config,
    describe: DESCRIBE[opened.kind](opened),
    ...(cloudwatch ? { countLabel: reviewedLabelsCounter(cloudwatch, opened.config.stage, log) } : {}),
    async close() {
      // The deployed target's client is its own (destroyed by stop()); the stack's was made here.
      if (cloudwatch && opened.kind === 'stack') cloudwatch.destroy();
      await opened.stop();
    },
  };
}

/** Fails before the page is served when the bucket cannot be listed, saying which one and why. */
async function checkBucket(bucket: OpenBucket): Promise<void> {
  const { bucket: name, reviewPrefix } = bucket.config;
  try {
    await bucket.s3.send(new ListObjectsV2Command({ Bucket: name, Prefix: reviewPrefix, MaxKeys: 1 }));
  } catch (error) {
    const err = error as Error;
    throw new Error(
      `cannot list s3://${name}/${reviewPrefix} (${bucket.describe}): ${err.name}: ${err.message}`,
    );
  }
}

export async function reviewCommand(options: ReviewOptions): Promise<void> {
  const reviewer = reviewerName(options.reviewer);
  const port = options.port ?? DEFAULT_REVIEW_PORT;
  const bucket = await openBucket(options.target ?? 'embedded', options.dataDir ?? DEFAULT_DATA_DIR);
  try {
    await checkBucket(bucket);
    const server = await startReviewServer({
      s3: bucket.s3,
      bucket: bucket.config.bucket,
      reviewPrefix: bucket.config.reviewPrefix,
      reviewer,
      target: bucket.describe,
      ...(bucket.countLabel ? { onGroundTruthWritten: bucket.countLabel } : {}),
      port,
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        throw new Error(`port ${port} is in use (another scones review?): pass --port 0 for a free one`);
      throw error;
    });
    log(
      `reviewing s3://${bucket.config.bucket}/${bucket.config.reviewPrefix} (${bucket.describe}) as ${reviewer}`,
    );
    process.stdout.write(`${server.url}\n`);
    log('Ctrl-C stops it.');
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await server.stop();
  } finally {
    await bucket.close();
  }
}
