/**
 * `scones up` in-process on a free port: uploads through the SDK become decision lines, a bad image
 * a failed line and a notification line, the Step Functions API on the same port finds what the
 * uploads started, and stop() drains what is in flight.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
  ListStateMachinesCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PortInUseError, startUpStack } from '../../src/up/stack.ts';
import { bikePng, startTestStack, type TestStack } from './support.ts';

let up: TestStack;
let png: Buffer;

beforeAll(async () => {
  png = await bikePng();
  up = await startTestStack();
});
afterAll(async () => {
  await up?.close();
});
beforeEach(() => {
  up.stub.reset();
});

async function classificationArn(): Promise<string> {
  const { stateMachines } = await up.sfn.send(new ListStateMachinesCommand({}));
  return stateMachines?.find((machine) => machine.name?.endsWith('image-classification'))
    ?.stateMachineArn as string;
}

describe('scones up (in-process)', () => {
  it('prints the endpoints for another terminal: S3 and Step Functions on one port', () => {
    const { environment, endpoint } = up.stack;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(environment).toMatchObject({
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL_SFN: endpoint,
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: up.stack.runtime.endpoint.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_REGION: 'us-east-1',
      // TestState is host-prefixed: aws-cli and boto3 would call sync-127.0.0.1.
      AWS_DISABLE_HOST_PREFIX_INJECTION: 'true',
    });
  });

  it("exports the SageMaker Python SDK's defaults file: the local account's default bucket, no telemetry", async () => {
    const file = up.stack.environment.SAGEMAKER_USER_CONFIG_OVERRIDE as string;
    expect(file.startsWith(up.dataDir)).toBe(true);
    const config = await readFile(file, 'utf8');
    expect(config).toContain('DefaultS3Bucket: sagemaker-us-east-1-000000000000');
    expect(config).toContain('TelemetryOptOut: true');
  });

  it('an upload becomes one line naming the key and the decision (route, label, confidence, latency)', async () => {
    up.stub.setProbabilities([0.93, 0.07]);
    await up.put('incoming/bike.png', png);
    const line = await up.lineWith('incoming/bike.png');
    expect(line).toMatch(
      /incoming\/bike\.png {2}short-range {2}bicycle 0\.930 {2}\d+ ms after upload \(run \d+ ms\)/,
    );
  });

  it('a low-confidence upload names its review item', async () => {
    up.stub.setProbabilities([0.55, 0.45]);
    await up.put('incoming/unsure.png', png);
    const line = await up.lineWith('incoming/unsure.png');
    expect(line).toMatch(
      /manual-review {2}bicycle 0\.550 .* review s3:\/\/scones-images\/review\/\S+\.json$/,
    );
  });

  it('a bad image: a FAILED line with Error and Cause, then the notification line', async () => {
    await up.put('incoming/not-an-image.png', 'hello, I am text');
    const failed = await up.lineWith('incoming/not-an-image.png', 'FAILED');
    expect(failed).toMatch(
      /FAILED {2}InvalidImage: s3:\/\/scones-images\/incoming\/not-an-image\.png is not a decodable image/,
    );
    const notified = await up.lineWith('incoming/not-an-image.png', 'notified');
    expect(notified).toContain('notified scones-dev-execution-failures  FAILED InvalidImage: ');
    // The same message is in the topic's file.
    await up.stack.trigger.idle();
    const file = up.stack.trigger.notifications.fileOf(up.stack.trigger.topicArn);
    const messages = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).message);
    const message = messages.find((candidate) => candidate.input.includes('incoming/not-an-image.png'));
    expect(message).toMatchObject({ status: 'FAILED', error: 'InvalidImage' });
    expect(notified).toContain(`execution ${message.execution}`);
  });

  it('uploads outside the intake prefix print nothing', async () => {
    await up.stack.trigger.idle();
    const before = up.printed.length;
    await up.put('elsewhere/bike.png', png);
    await up.stack.trigger.idle();
    expect(up.printed.slice(before)).toEqual([]);
  });

  it('the Step Functions API (SDK) lists and describes what the uploads started', async () => {
    up.stub.setProbabilities([0.1, 0.9]);
    await up.put('incoming/moto.png', png);
    await up.lineWith('incoming/moto.png', 'long-range');
    const stateMachineArn = await classificationArn();
    const executions: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await up.sfn.send(
        new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken }),
      );
      executions.push(...(page.executions ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const described = await Promise.all(
      executions.map((execution) =>
        up.sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn })),
      ),
    );
    const byKey = new Map(
      described.map((execution) => [JSON.parse(execution.input ?? '{}').s3_key, execution]),
    );
    expect([...byKey.keys()].sort()).toEqual([
      'incoming/bike.png',
      'incoming/moto.png',
      'incoming/not-an-image.png',
      'incoming/unsure.png',
    ]);
    expect(byKey.get('incoming/moto.png')).toMatchObject({ status: 'SUCCEEDED' });
    expect(JSON.parse(byKey.get('incoming/moto.png')?.output ?? '{}').decision).toBe('long-range');
    expect(byKey.get('incoming/not-an-image.png')).toMatchObject({ status: 'FAILED', error: 'InvalidImage' });
    const failed = await up.sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'FAILED' }));
    expect(failed.executions?.map((execution) => execution.executionArn)).toEqual([
      byKey.get('incoming/not-an-image.png')?.executionArn,
    ]);
    // The uploads' target, the intake, is listed beside it with one execution per upload.
    const intakeArn = stateMachineArn.replace(/image-classification$/, 'image-intake');
    const intake = await up.sfn.send(new ListExecutionsCommand({ stateMachineArn: intakeArn }));
    expect(intake.executions?.length).toBeGreaterThanOrEqual(4);
    expect(intake.executions?.every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
    const definition = await up.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: intakeArn }));
    expect(definition.definition).toContain(stateMachineArn);
  });

  it('refuses a port in use with a clear error, and starts nothing', async () => {
    const port = Number(new URL(up.stack.endpoint).port);
    await expect(
      startUpStack({ port, predictor: up.stub, print: () => {}, log: () => {}, dataDir: up.dataDir }),
    ).rejects.toThrow(PortInUseError);
    // The first stack still answers.
    const { stateMachines } = await up.sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines?.map((machine) => machine.name).sort()).toEqual([
      'scones-dev-image-batch',
      'scones-dev-image-classification',
      'scones-dev-image-intake',
      'scones-dev-model-retraining',
    ]);
  });
});

describe('scones up stop()', () => {
  it('drains: an execution in flight completes and prints its decision; uploads meanwhile get 503', async () => {
    const local = await startTestStack();
    let closed = false;
    try {
      local.stub.setProbabilities([0.93, 0.07]);
      local.stack.runtime.endpoint.faults.setLatency(700);
      await local.put('incoming/slow.png', png);
      // Wait until the execution is running, then stop.
      await expect.poll(() => local.stack.inFlight, { timeout: 10_000, interval: 10 }).toBe(1);
      const closing = local.close();
      // While it drains, an upload is refused (it would start nothing): 503, which SDKs retry.
      const late = new S3Client({
        endpoint: local.stack.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        forcePathStyle: true,
        maxAttempts: 1,
      });
      await expect(
        late.send(new PutObjectCommand({ Bucket: 'scones-images', Key: 'incoming/late.png', Body: png })),
      ).rejects.toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
      late.destroy();
      await closing;
      closed = true;
      expect(local.printed.some((line) => line.includes('incoming/slow.png  short-range'))).toBe(true);
      const { executions, config } = {
        executions: local.stack.runtime.engine.executions,
        ...local.stack.runtime,
      };
      expect(executions.runningCount).toBe(0);
      expect(executions.latestForObject(config.bucket, 'incoming/slow.png')?.status).toBe('SUCCEEDED');
    } finally {
      if (!closed) await local.close();
    }
  });

  it('a port that is free again after stop can be reused at once', async () => {
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((done) => probe.close(() => done()));
    const first = await startTestStack({ port });
    await first.close();
    const second = await startTestStack({ port });
    expect(second.stack.endpoint).toBe(`http://127.0.0.1:${port}`);
    await second.close();
  });
});
