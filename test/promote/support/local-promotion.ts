/** What the local promotion test reads back and runs: objects, captured records, models, the CLI. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { ModelPredictor } from '../../../training/predictor.ts';

export async function objectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
}

/** What the model at `modelDataUrl` answers for an image, loaded here on its own. */
export async function modelAnswer(s3: S3Client, modelDataUrl: string, image: Buffer): Promise<number[]> {
  const model = await ModelPredictor.load(modelDataUrl, { s3Client: s3 });
  try {
    return await model.predict(image, 'image/png');
  } finally {
    model.dispose();
  }
}

export interface CapturedRecord {
  captureData: { endpointInput: { encoding: string }; endpointOutput: { data: string } };
  eventMetadata: { inferenceId: string };
}

/** The captured record of one inference under `prefix`, if the endpoint has written it yet. */
export async function capturedRecord(
  s3: S3Client,
  location: { bucket: string; prefix: string },
  inferenceId: string,
): Promise<CapturedRecord | undefined> {
  const { bucket, prefix } = location;
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  for (const object of listed.Contents ?? []) {
    const lines = (await objectBytes(s3, bucket, object.Key as string)).toString().trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as CapturedRecord);
    const found = records.find((record) => record.eventMetadata.inferenceId === inferenceId);
    if (found) return found;
  }
  return undefined;
}

export function expectSameProbabilities(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, p] of actual.entries()) expect(p).toBeCloseTo(expected[i] as number, 5);
}

/** `scones` as a user runs it, with `env` as its whole environment. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv) {
  const root = path.resolve('.');
  const child = spawn(process.execPath, [path.join(root, 'bin', 'scones.js'), ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** This process's environment without any endpoint variable (and no profile): nothing points anywhere. */
export function withoutEndpoints(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('AWS_ENDPOINT_URL') && name !== 'AWS_PROFILE',
    ),
  );
}

/** A port of 127.0.0.1 that nobody listens on: taken, then let go. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
