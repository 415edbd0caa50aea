/**
 * The embedded tier never reaches AWS. While the whole tier runs (local S3, endpoint with data
 * capture, the workflow over a few images) and while the `scones serve` path runs with capture on,
 * every outgoing TCP connection and DNS lookup of this process is recorded: all of them go to
 * 127.0.0.1, and no host name is resolved at all. A client for the embedded target with no local
 * endpoint is refused with a ConfigError naming the variable to set.
 */
import dns from 'node:dns';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { createS3Client, createSageMakerRuntimeClient } from '../../src/aws/clients.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { startFromEnvironment } from '../../src/embedded/sagemaker-runtime/index.ts';
import { createPredictor } from '../../training/predictor.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';

interface Egress {
  /** Every TCP connection attempt, as host and port (IPC paths are left out). */
  connections: { host: string; port: number }[];
  /** Every name given to dns.lookup (callback or promise form). */
  lookups: string[];
  restore(): void;
}

/** Wraps `net.Socket.prototype.connect` and `dns.lookup` for this process until `restore()`. */
function recordEgress(): Egress {
  const connections: Egress['connections'] = [];
  const lookups: string[] = [];
  const connect = net.Socket.prototype.connect;
  const lookup = dns.lookup;
  const promisesLookup = dns.promises.lookup;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    // net.connect passes its normalized [options, callback] array; direct calls pass options or a port.
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    if (typeof first === 'number' || typeof first === 'string') {
      if (typeof first === 'number' || /^\d+$/.test(first))
        connections.push({ host: typeof args[1] === 'string' ? args[1] : 'localhost', port: Number(first) });
    } else if (first && typeof first === 'object' && !('path' in first && first.path)) {
      const options = first as { host?: string; port?: number | string };
      connections.push({ host: options.host ?? 'localhost', port: Number(options.port) });
    }
    return connect.apply(this, args as Parameters<typeof connect>);
  } as typeof connect;
  dns.lookup = function (this: unknown, hostname: string, ...rest: unknown[]) {
    lookups.push(hostname);
    return (lookup as (...values: unknown[]) => unknown).call(this, hostname, ...rest);
  } as typeof dns.lookup;
  dns.promises.lookup = function (this: unknown, hostname: string, ...rest: unknown[]) {
    lookups.push(hostname);
    return (promisesLookup as (...values: unknown[]) => unknown).call(this, hostname, ...rest);
  } as typeof dns.promises.lookup;
  return {
    connections,
    lookups,
    restore() {
      net.Socket.prototype.connect = connect;
      dns.lookup = lookup;
      dns.promises.lookup = promisesLookup;
    },
  };
}

/**
 * Every established TCP connection of this process, worker threads' included (the recorder above
 * sees the main thread only; the serialize function runs in the local S3's thread): its sockets, from
 * /proc/self/fd, looked up in /proc/self/net/tcp{,6}. Linux only.
 */
function processTcpConnections(): { host: string; port: number }[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  const connections: { host: string; port: number }[] = [];
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [remote, state, inode] = [fields[2], fields[3], fields[9]];
      if (!remote || state !== '01' || !inode || !inodes.has(inode)) continue; // 01: ESTABLISHED
      const [address, port] = remote.split(':') as [string, string];
      // IPv4 in little-endian hex; IPv6 shown by its last 4 bytes (an IPv4-mapped ::ffff:127.0.0.1).
      const bytes = Buffer.from(address.slice(-8), 'hex').reverse();
      const mapped = address.length === 8 || address.startsWith('0000000000000000FFFF0000');
      connections.push({ host: mapped ? [...bytes].join('.') : address, port: Number.parseInt(port, 16) });
    }
  }
  return connections;
}

describe('the embedded tier never leaves 127.0.0.1', () => {
  let egress: Egress | undefined;
  const folders: string[] = [];

  afterEach(async () => {
    egress?.restore();
    egress = undefined;
    for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
  });

  it('the recorder sees connections and lookups (so an empty record means something)', async () => {
    egress = recordEgress();
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((done) =>
      net.connect({ host: 'localhost', port, family: 4 }, done).on('close', done).end(),
    );
    await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
    server.close();
    expect(egress.connections).toEqual(expect.arrayContaining([{ host: 'localhost', port }]));
    expect(
      egress.connections.filter((c) => c.host === '127.0.0.1' && c.port === port).length,
    ).toBeGreaterThan(0);
    expect(egress.lookups).toContain('localhost');
  });

  it('runs the workflow with capture, and `scones serve` with capture, talking to 127.0.0.1 only', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'scones-no-egress-'));
    folders.push(dataDir);
    egress = recordEgress();

    const runtime = await startEmbeddedRuntime({
      dataDir,
      retryDelayMs: 0,
      capture: { destinationS3Uri: 's3://scones-images/no-egress-capture', flushIntervalMs: 60_000 },
    });
    const ports = new Set([Number(new URL(runtime.localS3.endpoint).port), runtime.endpoint.port]);
    try {
      const bucket = runtime.config.bucket;
      for (const index of [0, 1, 150]) {
        const key = `no-egress/${index}.png`;
        const body = await rgbToPng((await readCifarRecord(index)).rgb);
        await runtime.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
        const record = await runtime.run({ s3_bucket: bucket, s3_key: key });
        expect(record.status).toBe('SUCCEEDED');
      }
      await runtime.endpoint.capture?.flush();
      expect(runtime.endpoint.capture?.writtenKeys.length).toBeGreaterThan(0);

      // `scones serve` (endpoint-main) with capture into the same local S3.
      const served = await startFromEnvironment({
        PORT: '0',
        ENDPOINT_NAME: 'no-egress',
        CAPTURE_S3_URI: `s3://${bucket}/no-egress-serve`,
        AWS_ENDPOINT_URL_S3: runtime.localS3.endpoint,
      });
      ports.add(served.port);
      const client = createSageMakerRuntimeClient(
        loadConfig({ AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: served.url }),
        { maxAttempts: 1 },
      );
      const image = await rgbToPng((await readCifarRecord(2)).rgb);
      await client.send(
        new InvokeEndpointCommand({ EndpointName: 'no-egress', ContentType: 'image/png', Body: image }),
      );
      client.destroy();
      await served.stop(); // flushes capture
      const listed = await runtime.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'no-egress-serve/' }),
      );
      expect(listed.KeyCount).toBe(1);
      // Worker threads (the local S3's, with the serialize function's client) are not seen by the
      // recorder: every connection still open in the process, theirs included, is to 127.0.0.1.
      const open = processTcpConnections();
      expect(open.length).toBeGreaterThan(0);
      expect(open.filter((c) => c.host !== '127.0.0.1')).toEqual([]);
    } finally {
      await runtime.stop();
    }

    expect(egress.connections.length).toBeGreaterThan(0);
    expect(egress.connections.filter((c) => c.host !== '127.0.0.1')).toEqual([]);
    // The main thread's own connections (the functions' are checked process-wide above).
    for (const port of egress.connections.map((c) => c.port)) expect(ports).toContain(port);
    // Node may pass an IP literal through dns.lookup (answered without DNS); no name is resolved.
    expect(egress.lookups.filter((name) => net.isIP(name) === 0)).toEqual([]);
  });
});

describe('a client of the embedded target without a local endpoint', () => {
  it('is a ConfigError naming the variable to set', () => {
    const refused = (create: () => unknown) => {
      try {
        create();
      } catch (error) {
        return error as ConfigError & { variable?: string };
      }
      throw new Error('expected a ConfigError');
    };
    const s3 = refused(() => createS3Client(loadConfig({})));
    expect(s3).toBeInstanceOf(ConfigError);
    expect(s3.name).toBe('ConfigError');
    expect(s3.variable).toBe('AWS_ENDPOINT_URL_S3');
    expect(s3.message).toMatch(
      /^AWS_ENDPOINT_URL_S3 is not set .* set AWS_ENDPOINT_URL_S3 to the local server's URL/,
    );

    const runtime = refused(() => createSageMakerRuntimeClient(loadConfig({ SCONES_TARGET: 'embedded' })));
    expect(runtime.message).toMatch(/AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME is not set/);
    // An empty variable (compose's `${VAR:-}`) is no endpoint either.
    expect(refused(() => createS3Client(loadConfig({ AWS_ENDPOINT_URL_S3: '' }))).variable).toBe(
      'AWS_ENDPOINT_URL_S3',
    );

    // The generic variable, the local targets' defaults and the aws target are not refused.
    expect(() =>
      createS3Client(loadConfig({ AWS_ENDPOINT_URL: 'http://127.0.0.1:1' })).destroy(),
    ).not.toThrow();
    expect(() => createS3Client(loadConfig({ SCONES_TARGET: 'emulator' })).destroy()).not.toThrow();
    expect(() => createS3Client(loadConfig({ SCONES_TARGET: 'aws' })).destroy()).not.toThrow();
  });

  it('stops `scones serve` with capture, or an s3:// MODEL_ARTIFACT, before anything starts', async () => {
    await expect(
      startFromEnvironment({ PORT: '0', CAPTURE_S3_URI: 's3://bucket/capture' }),
    ).rejects.toMatchObject({
      name: 'ConfigError',
      variable: 'AWS_ENDPOINT_URL_S3',
    });
    await expect(createPredictor({ MODEL_ARTIFACT: 's3://bucket/model.tar.gz' })).rejects.toMatchObject({
      name: 'ConfigError',
      variable: 'AWS_ENDPOINT_URL_S3',
    });
    // A local artifact path needs no S3 client: the error is about the file, not the config.
    await expect(createPredictor({ MODEL_ARTIFACT: '/nonexistent/model.tar.gz' })).rejects.toThrow(
      /cannot read model artifact/,
    );
  });
});
