/**
 * An embedded data dir holding a synthetic stream, laid out as the kit lays it out: the local S3
 * under `<dir>/s3` (capture, ground truth, training manifest) and EMF lines under `<dir>/logs`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createS3Client } from '../../../src/aws/clients.ts';
import { DEFAULTS, endpointEnvironment, loadConfig } from '../../../src/config.ts';
import { startLocalS3 } from '../../../src/embedded/s3/index.ts';
import type { MonitorSources } from '../../../src/monitor/sources/index.ts';
import {
  type SyntheticWriteOptions,
  type SyntheticWritten,
  writeSyntheticStream,
} from '../../../src/monitor/synthetic-stream.ts';

export const T0 = Date.parse('2026-11-26T10:00:00Z');

export interface SyntheticDataDir {
  dir: string;
  written: SyntheticWritten;
  remove(): Promise<void>;
}

export async function syntheticDataDir(options: SyntheticWriteOptions): Promise<SyntheticDataDir> {
  const dir = await mkdtemp(path.join(tmpdir(), 'scones-monitor-'));
  const local = await startLocalS3({ directory: path.join(dir, 's3'), buckets: [DEFAULTS.bucket] });
  const s3 = createS3Client(
    loadConfig({ SCONES_TARGET: 'embedded', ...endpointEnvironment({ s3: local.endpoint }) }),
  );
  try {
    const written = await writeSyntheticStream(
      { s3, bucket: DEFAULTS.bucket, endpointName: DEFAULTS.endpointName, logsDir: path.join(dir, 'logs') },
      options,
    );
    return { dir, written, remove: () => rm(dir, { recursive: true, force: true }) };
  } finally {
    s3.destroy();
    await local.stop();
  }
}

/** Opens the data dir's S3 for the monitor (as `scones monitor --data-dir` does); close it after. */
export async function openDataDir(dir: string): Promise<{ sources: MonitorSources; close(): Promise<void> }> {
  const local = await startLocalS3({ directory: path.join(dir, 's3') });
  const s3 = createS3Client(
    loadConfig({ SCONES_TARGET: 'embedded', ...endpointEnvironment({ s3: local.endpoint }) }),
  );
  return {
    sources: {
      s3,
      bucket: DEFAULTS.bucket,
      capturePrefix: `data_capture/${DEFAULTS.endpointName}/`,
      groundTruthPrefix: 'ground_truth/',
      datasetPrefix: 'datasets/cifar-100/',
      metricLogsDir: path.join(dir, 'logs'),
      metricsNamespace: 'Scones',
    },
    async close() {
      s3.destroy();
      await local.stop();
    },
  };
}
