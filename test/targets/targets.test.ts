/**
 * Targets behind one interface (src/targets/): each implementation starts or connects, gives
 * clients that reach its services, names from its config, and stop(); the choice among them is
 * made from the request and the environment alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, MissingEndpointError } from '../../src/config.ts';
import {
  connectDeployed,
  connectLocalStack,
  deploymentConfig,
  type EmbeddedTarget,
  findStateMachine,
  placeTarget,
  startEmbeddedStore,
  startEmbeddedTarget,
  startLocalStack,
  startTarget,
} from '../../src/targets/index.ts';
import { resourceNames } from '../../src/workflow/names.ts';
import { bikePng } from '../up/support.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'scones-targets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the embedded target', () => {
  let target: EmbeddedTarget;
  beforeAll(async () => {
    target = await startEmbeddedTarget({ dataDir: path.join(dir, 'embedded'), runtime: { s3Thread: false } });
  });
  afterAll(async () => {
    await target.stop();
  });

  it('gives clients that reach its S3, and the names of its config and data folder', async () => {
    expect(target).toMatchObject({ kind: 'embedded', target: 'embedded', name: 'embedded' });
    const { names } = target;
    expect(names).toMatchObject({
      bucket: 'scones-images',
      stage: 'dev',
      dataDir: path.join(dir, 'embedded'),
      stateMachines: { classification: resourceNames('dev').stateMachine },
    });
    expect(names.logFile).toMatch(/logs\/.+\.jsonl$/);
    await target.clients.s3.send(
      new PutObjectCommand({ Bucket: names.bucket, Key: 'targets/hello.txt', Body: 'hello' }),
    );
    const object = await target.clients.s3.send(
      new GetObjectCommand({ Bucket: names.bucket, Key: 'targets/hello.txt' }),
    );
    expect(await object.Body?.transformToString()).toBe('hello');
  });

  it('runs the workflow in this process, its state machines under their deployed names', async () => {
    expect(await target.stateMachineArn()).toBe(target.runtime.engine.stateMachineArn);
    expect(await target.stateMachineArn('batch')).toMatch(/:stateMachine:scones-dev-image-batch$/);
    await target.clients.s3.send(
      new PutObjectCommand({ Bucket: target.names.bucket, Key: 'targets/bike.png', Body: await bikePng() }),
    );
    const record = await target.run({
      image_data: '',
      s3_bucket: target.names.bucket,
      s3_key: 'targets/bike.png',
    });
    expect(record.status).toBe('SUCCEEDED');
  });

  it('has no Step Functions endpoint in this process: the config module says which variable', () => {
    expect(() => target.clients.sfn).toThrow(MissingEndpointError);
  });

  it('stop() stops its servers', async () => {
    const stopped = await startEmbeddedTarget({
      dataDir: path.join(dir, 'stopped'),
      runtime: { s3Thread: false },
    });
    const { s3 } = stopped.clients;
    await s3.send(new HeadBucketCommand({ Bucket: stopped.names.bucket }));
    const endpoint = stopped.config.endpointFor('s3') as string;
    await stopped.stop();
    await expect(fetch(endpoint)).rejects.toThrow();
  });
});

describe('the embedded store alone', () => {
  it('refuses to read a data folder that is not there, naming it', async () => {
    await expect(startEmbeddedStore({ dataDir: path.join(dir, 'none'), access: 'read' })).rejects.toThrow(
      /no embedded data under .*none.s3: run `scones demo` first/,
    );
  });

  it('makes its bucket to write to, and runs no workflow', async () => {
    const store = await startEmbeddedStore({ dataDir: path.join(dir, 'store'), access: 'write', env: {} });
    try {
      await store.clients.s3.send(new HeadBucketCommand({ Bucket: store.names.bucket }));
      expect(store.runtime).toBeUndefined();
      await expect(store.stateMachineArn()).rejects.toThrow(/runs no workflow/);
    } finally {
      await store.stop();
    }
  });
});

describe('a local stack (scones up)', () => {
  it('started here and connected to from its endpoint, the two see the same state machines and bucket', {
    timeout: 60_000,
  }, async () => {
    const started = await startLocalStack({
      port: 0,
      dataDir: path.join(dir, 'stack'),
      retryDelayMs: 0,
      print: () => {},
      log: () => {},
    });
    const connected = connectLocalStack({ endpoint: started.stack.endpoint, env: {} });
    try {
      expect(started.kind).toBe('stack');
      expect(connected).toMatchObject({ kind: 'stack', target: 'embedded' });
      expect(connected.config.endpointFor('sfn')).toBe(started.stack.endpoint);
      expect(await connected.stateMachineArn()).toBe(started.runtime.engine.stateMachineArn);
      await started.clients.s3.send(
        new PutObjectCommand({ Bucket: started.names.bucket, Key: 'bike.png', Body: await bikePng() }),
      );
      // Through the Step Functions API of the stack.
      const record = await connected.run({
        image_data: '',
        s3_bucket: connected.names.bucket,
        s3_key: 'bike.png',
      });
      expect(record.status).toBe('SUCCEEDED');
    } finally {
      await connected.stop();
      await started.stop();
    }
  });
});

describe('a deployed target', () => {
  const env = {
    SCONES_BUCKET: 'qa-images',
    SCONES_STAGE: 'qa',
    ENDPOINT_NAME: 'qa-endpoint',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  };

  it('takes its names from the config, and an override where given', () => {
    const target = connectDeployed(loadConfig({ ...env, SCONES_TARGET: 'emulator' }), {
      overrides: { bucket: 'other-bucket' },
    });
    expect(target).toMatchObject({ kind: 'deployed', target: 'emulator', name: 'emulator' });
    expect(target.names).toMatchObject({
      bucket: 'other-bucket',
      stage: 'qa',
      endpointName: 'qa-endpoint',
      stateMachines: { classification: 'scones-qa-image-classification', batch: 'scones-qa-image-batch' },
    });
    expect(target.names.dataDir).toBeUndefined();
  });

  it('compose is the containers target: its endpoints, under the name the user gave', async () => {
    const target = await startTarget({ target: 'compose', env: { SCONES_STAGE: 'qa' } });
    try {
      expect(target).toMatchObject({ kind: 'deployed', target: 'containers', name: 'compose' });
      expect(target.config.endpointFor('sfn')).toBe('http://127.0.0.1:8083');
      const endpoint = await target.clients.s3.config.endpoint?.();
      expect(endpoint?.hostname).toBe('127.0.0.1');
      expect(endpoint?.port).toBe(4566);
    } finally {
      await target.stop();
    }
  });

  it('AWS: the stage resolveAws finds, with its account', async () => {
    const config = { ...loadConfig({ ...env, SCONES_TARGET: 'aws' }), bucket: 'promoted-bucket' };
    const target = await startTarget({
      target: 'aws',
      resolveAws: async () => ({ config, accountId: '123456789012' }),
    });
    expect(target).toMatchObject({ kind: 'deployed', target: 'aws', accountId: '123456789012' });
    expect(target.names.bucket).toBe('promoted-bucket');
    await target.stop();
  });

  it('names the command that deploys a missing state machine', async () => {
    const empty = { send: async () => ({ stateMachines: [] }) } as unknown as SFNClient;
    await expect(findStateMachine(empty, 'scones-qa-image-classification', 'emulator')).rejects.toThrow(
      'no state machine named scones-qa-image-classification on emulator: deploy it first (scones deploy --target emulator)',
    );
    await expect(findStateMachine(empty, 'x', 'aws')).rejects.toThrow('(scones promote)');
  });
});

describe('choosing a target', () => {
  it('embedded runs here, unless the request takes a running stack and one is configured', () => {
    const running = { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4566' };
    expect(placeTarget({ env: running })).toEqual({ kind: 'embedded', target: 'embedded', name: 'embedded' });
    expect(placeTarget({ env: running, runningStack: {} }).kind).toBe('stack');
    expect(placeTarget({ env: {}, runningStack: {} }).kind).toBe('embedded');
    expect(placeTarget({ env: {}, runningStack: { endpointUrl: 'http://127.0.0.1:1' } }).kind).toBe('stack');
    expect(placeTarget({ target: 'emulator', env: running, runningStack: {} }).kind).toBe('deployed');
  });

  it('checks the placement before anything starts or is looked up', async () => {
    let resolved = false;
    const refused = startTarget({
      target: 'aws',
      resolveAws: async () => {
        resolved = true;
        throw new Error('not reached');
      },
      check: ({ kind, name }) => {
        throw new Error(`${name} is ${kind}`);
      },
    });
    await expect(refused).rejects.toThrow('aws is deployed');
    expect(resolved).toBe(false);
  });

  it('the embedded tier is never deployed', () => {
    expect(() => deploymentConfig('embedded')).toThrow('the embedded tier needs no deployment');
    expect(deploymentConfig('compose', {}).target).toBe('containers');
  });
});
