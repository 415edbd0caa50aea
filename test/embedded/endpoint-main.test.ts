import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, ServiceUnavailable } from '@aws-sdk/client-sagemaker-runtime';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createS3Client, createSageMakerRuntimeClient } from '../../src/aws/clients.ts';
import { loadConfig } from '../../src/config.ts';
import { type LocalS3, startLocalS3 } from '../../src/embedded/s3/index.ts';
import { startFromEnvironment } from '../../src/embedded/sagemaker-runtime/index.ts';

const MAIN = new URL('../../src/embedded/sagemaker-runtime/endpoint-main.ts', import.meta.url).pathname;

/** Starts endpoint-main in its own Node process and waits for its "listening" line. */
async function startProcess(
  env: Record<string, string>,
  args: string[] = [],
  stderr: 'inherit' | 'pipe' = 'inherit',
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', stderr],
  });
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line')) as [
    string,
  ];
  return { child, url: (JSON.parse(line) as { url: string }).url };
}

describe('endpoint-main: the endpoint as its own process, steered over HTTP', () => {
  let localS3: LocalS3;
  let child: ChildProcess;
  let url: string;

  beforeAll(async () => {
    localS3 = await startLocalS3({ buckets: ['main-capture'] });
    ({ child, url } = await startProcess({
      ENDPOINT_NAME: 'standalone',
      AWS_ENDPOINT_URL_S3: localS3.endpoint,
      CAPTURE_S3_URI: 's3://main-capture/capture',
    }));
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await localS3.stop();
  });

  it('serves InvokeEndpoint, obeys faults set over HTTP, and flushes capture on SIGTERM', async () => {
    const runtime = createSageMakerRuntimeClient(loadConfig({ AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: url }), {
      maxAttempts: 1,
    });
    const image = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    const invoke = () =>
      runtime.send(
        new InvokeEndpointCommand({ EndpointName: 'standalone', ContentType: 'image/png', Body: image }),
      );

    const steer = await fetch(`${url}/_stub/behavior`, {
      method: 'POST',
      body: JSON.stringify({ fail: { status: 503, count: 1 }, predictor: { probabilities: [0.25, 0.75] } }),
    });
    expect(steer.status).toBe(200);
    await expect(invoke()).rejects.toBeInstanceOf(ServiceUnavailable);
    const output = await invoke();
    expect(JSON.parse(Buffer.from(output.Body ?? []).toString())).toEqual([0.25, 0.75]);
    runtime.destroy();

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    const s3 = createS3Client(loadConfig({ AWS_ENDPOINT_URL_S3: localS3.endpoint }));
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: 'main-capture', Prefix: 'capture/standalone/' }),
    );
    s3.destroy();
    expect(listed.KeyCount).toBe(1);
  });

  it('fails with a clear message for a bad predictor setting', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', STUB_PROBABILITIES: 'high,low' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toMatch(/STUB_PROBABILITIES must be comma-separated numbers; got "high,low"/);
  });
});

describe('endpoint-main: where it listens', () => {
  it('binds 127.0.0.1 by default and says nothing', async () => {
    const said = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const server = await startFromEnvironment({ PORT: '0' });
      await server.stop();
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(said).not.toHaveBeenCalled();
    } finally {
      said.mockRestore();
    }
  });

  it('binds every interface only when asked, and says on stderr what is then exposed', async () => {
    const said = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const server = await startFromEnvironment({ PORT: '0', HOST: '0.0.0.0' });
      const ping = await fetch(`${server.url}/ping`);
      await server.stop();
      expect(ping.status).toBe(200);
      expect(said).toHaveBeenCalledTimes(1);
      expect(String(said.mock.calls[0]?.[0])).toMatch(
        /^endpoint: listening on 0\.0\.0\.0:\d+, reachable from the network: .*\/_stub\/\* control routes/,
      );
    } finally {
      said.mockRestore();
    }
  });

  it('takes --host and --port flags over HOST and PORT', async () => {
    const { child, url } = await startProcess(
      { HOST: '127.0.0.1', PORT: '1' },
      ['--host', '0.0.0.0', '--port', '0'],
      'pipe',
    );
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    expect((await fetch(`${url}/ping`)).status).toBe(200);
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(stderr).toMatch(/endpoint: listening on 0\.0\.0\.0:\d+, reachable from the network/);
  });
});
