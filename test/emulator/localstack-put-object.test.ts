/**
 * What `arn:aws:states:::aws-sdk:s3:putObject` stores for a JSON `Body`, on the embedded engine,
 * MiniStack (with its shim) and LocalStack, against what AWS stores: the Body's JSON text, so an
 * object becomes its compact JSON and a string a quoted JSON string literal ("text data" is
 * stored as "\"text data\"", 11 bytes). Source: LocalStack's snapshot tests recorded against AWS
 * (tests/aws/services/stepfunctions/v2/services/test_aws_sdk_task_service.py::test_s3_put_object,
 * markers.aws.validated); docs/emulator-differences.md. This is why RecordReviewItem passes
 * `"Body.$": "$"` and not `States.JsonToString($)`, which AWS would store double-encoded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, createSfnClient } from '../../src/aws/clients.ts';
import { endpointEnvironment, loadConfig } from '../../src/config.ts';
import { createSfnRunner } from '../../src/deploy/sfn-runner.ts';
import { type LocalS3, startLocalS3 } from '../../src/embedded/s3/index.ts';
import { EmbeddedEngine } from '../../src/embedded/stepfunctions/index.ts';
import { type SharedServer, sharedServer } from '../support/shared-emulators/client.ts';
import { probeRole } from '../support/shared-emulators/probe-role.ts';

const BUCKET = 'put-object-probe';
const put = (key: string, path: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
  Parameters: { Bucket: BUCKET, Key: key, 'Body.$': path },
  ResultPath: null,
});
const definition = {
  StartAt: 'Values',
  States: {
    Values: {
      Type: 'Pass',
      Result: { text: 'text data', object: { Dict: 'Value', n: 1 } },
      Next: 'PutString',
    },
    PutString: { ...put('string.json', '$.text'), Next: 'PutObject' },
    PutObject: { ...put('object.json', '$.object'), End: true },
  },
};
/** As AWS stores them. */
const EXPECTED = { 'string.json': '"text data"', 'object.json': '{"Dict":"Value","n":1}' };

async function stored(s3: S3Client, key: string): Promise<string | undefined> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return object.Body?.transformToString();
}

describe('aws-sdk:s3:putObject stores the JSON text of Body, as AWS does (embedded, ministack, localstack)', () => {
  let dataDir: string;
  let localS3: LocalS3;
  let ministack: SharedServer;
  let localstack: SharedServer;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'scones-put-object-'));
    [localS3, ministack, localstack] = await Promise.all([
      startLocalS3({ directory: join(dataDir, 's3'), buckets: [BUCKET] }),
      sharedServer('ministack'),
      sharedServer('localstack'),
    ]);
  }, 600_000);

  afterAll(async () => {
    await localS3?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('embedded engine', async () => {
    const s3 = createS3Client(
      loadConfig({ SCONES_TARGET: 'embedded', ...endpointEnvironment({ s3: localS3.endpoint }) }),
    );
    const engine = new EmbeddedEngine({ definition, functions: {}, clients: { s3 } });
    expect((await engine.run({}, 'put-probe')).status).toBe('SUCCEEDED');
    for (const [key, text] of Object.entries(EXPECTED)) expect(await stored(s3, key), key).toBe(text);
  });

  it.each([
    ['ministack', () => ministack],
    ['localstack', () => localstack],
  ])('%s', async (_name, server) => {
    const config = loadConfig({ SCONES_TARGET: 'emulator', ...server().environment() });
    const s3 = createS3Client(config);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const sfn = createSfnClient(config);
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'put-probe',
        roleArn: await probeRole(server(), 'probe-put-object'),
        definition: JSON.stringify(definition),
      }),
    );
    const record = await createSfnRunner(sfn, stateMachineArn as string).run(
      { s3_bucket: 'b', s3_key: 'k' },
      'put',
    );
    expect(record.status, record.cause).toBe('SUCCEEDED');
    for (const [key, text] of Object.entries(EXPECTED)) expect(await stored(s3, key), key).toBe(text);
  });
});
