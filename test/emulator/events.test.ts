/**
 * The event-driven workflow on MiniStack, deployed by the deploy module as on AWS: S3 (with
 * EventBridge notifications on) -> the image-uploaded rule with its InputTransformer -> the intake
 * state machine -> the classification, named from the object; and Step Functions' status-change
 * events -> the execution-failed rule -> the SNS topic -> an HTTP subscriber of the test. Checked:
 * an upload is decided; a duplicated delivery classifies nothing twice; a bad image fails and is
 * notified with its Error and Cause; uploads outside the prefix, deletes and the kit's own objects
 * start nothing; 200 uploads in a burst give 200 outcomes, none lost, none twice (and the PUT to
 * decision latency is printed); an alarm in ALARM notifies the topic. What MiniStack does not do as
 * AWS (target roles and topic policies not evaluated, no metrics behind the alarms, email
 * subscriptions confirmed at once and never sent) is in docs/emulator-differences.md.
 */
import { DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  paginateListExecutions,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createCloudWatchClient,
  createEventBridgeClient,
  createIamClient,
  createSnsClient,
} from '../../src/aws/clients.ts';
import {
  createStubPredictor,
  type EndpointServer,
  startEndpointServer,
} from '../../src/embedded/sagemaker-runtime/index.ts';
import { executionNameForObject } from '../../src/events/execution-name.ts';
import { eventResourceNames, resourceNames } from '../../src/workflow/names.ts';
import { forEachConcurrent } from '../../training/concurrency.ts';
import { readCifarRecord, rgbToPng } from '../lambdas/images.ts';
import { type EmulatorStack, startSharedEmulatorStack } from '../support/emulator-stack.ts';
import { type SnsSubscriber, subscribeHttpEndpoint } from '../support/sns-subscriber.ts';
import { shippedTestImages } from '../support/test-images.ts';

interface Closed {
  name: string;
  status: string;
  input: { s3_key?: string; key?: string; bucket?: string; sequencer?: string };
  output: Record<string, unknown>;
  error?: string;
  cause?: string;
  stopMs: number;
}

describe('S3 -> EventBridge -> intake -> classification, and failures -> SNS, on MiniStack', () => {
  let endpoint: EndpointServer;
  let stack: EmulatorStack;
  let subscriber: SnsSubscriber;
  let png: Buffer;
  /** Executions already read back, by ARN (closed ones do not change). */
  const closed = new Map<string, Closed>();

  beforeAll(async () => {
    endpoint = await startEndpointServer({ predictor: createStubPredictor() });
    // The shared MiniStack scales retry intervals to 5 % (the embedded tier's retryDelayMs) and runs
    // six Lambda invocations at once, the others wait: a burst of 200 executions would otherwise
    // start a Node process each on this 2-core machine (ministack_compat.py, host capacity).
    stack = await startSharedEmulatorStack('events', { endpointUrl: endpoint.url });
    subscriber = await subscribeHttpEndpoint(
      createSnsClient(stack.config),
      stack.deployment.notificationTopicArn as string,
    );
    await subscriber.confirmed;
    png = await rgbToPng((await readCifarRecord(0)).rgb);
  }, 300_000);

  afterAll(async () => {
    await subscriber?.stop();
    await stack?.stop();
    await endpoint?.stop();
  });

  /** Every execution of a state machine (all pages). */
  async function executionsOf(stateMachineArn: string): Promise<ExecutionListItem[]> {
    const all: ExecutionListItem[] = [];
    for await (const page of paginateListExecutions({ client: stack.sfn }, { stateMachineArn }))
      all.push(...(page.executions ?? []));
    return all;
  }

  /** Closed executions of a state machine with their input and output, read once each. */
  async function closedExecutionsOf(stateMachineArn: string): Promise<Closed[]> {
    const result: Closed[] = [];
    for (const item of await executionsOf(stateMachineArn)) {
      if (item.status === 'RUNNING' || !item.executionArn) continue;
      let known = closed.get(item.executionArn);
      if (!known) {
        const described = await stack.sfn.send(
          new DescribeExecutionCommand({ executionArn: item.executionArn }),
        );
        known = {
          name: described.name ?? '',
          status: described.status ?? '',
          input: JSON.parse(described.input ?? '{}'),
          output: described.status === 'SUCCEEDED' ? JSON.parse(described.output ?? '{}') : {},
          ...(described.error ? { error: described.error } : {}),
          ...(described.cause ? { cause: described.cause } : {}),
          stopMs: described.stopDate?.getTime() ?? Date.now(),
        };
        closed.set(item.executionArn, known);
      }
      result.push(known);
    }
    return result;
  }

  const classificationsOf = async (key: string) =>
    (await closedExecutionsOf(stack.deployment.stateMachineArn)).filter((e) => e.input.s3_key === key);

  /** Waits until the upload of `key` has a closed classification, then returns them all (one). */
  const decided = (key: string, timeout = 60_000) =>
    vi.waitFor(
      async () => {
        const found = await classificationsOf(key);
        expect(found.length).toBeGreaterThan(0);
        return found;
      },
      { timeout, interval: 200 },
    );

  const put = (key: string, body: Uint8Array = png) =>
    stack.s3.send(
      new PutObjectCommand({ Bucket: stack.config.bucket, Key: key, Body: body, ContentType: 'image/png' }),
    );

  it('deploys the rules, topic, role, notifications and alarms, and a second deploy changes nothing', async () => {
    const kinds = stack.deployment.changes.map((change) => `${change.change} ${change.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining(['create topic', 'create event-rule', 'create bucket-events', 'create alarm']),
    );
    const again = await stack.redeploy();
    expect(again.changes.filter((change) => change.change !== 'none')).toEqual([]);
    const names = eventResourceNames(stack.config.stage);
    // With the retraining (deploy's default) its two rules come along (eventrules/retrain-on-*.json).
    expect(Object.keys(stack.deployment.eventRuleArns ?? {}).sort()).toEqual([
      'execution-failed',
      'image-uploaded',
      'retrain-on-drift-alarm',
      'retrain-on-reviewed-labels',
    ]);
    expect(stack.deployment.notificationTopicArn).toMatch(new RegExp(`:${names.notificationTopic}$`));
  }, 120_000);

  it('classifies an upload under the intake prefix, under the name computed from the object', async () => {
    const key = 'incoming/first-upload.png';
    const putAt = Date.now();
    await put(key);
    const [classification, ...others] = await decided(key);
    console.log(`MiniStack PUT -> decision of one upload: ${(classification?.stopMs ?? 0) - putAt} ms`);
    expect(others).toEqual([]);
    expect(classification?.status, classification?.cause).toBe('SUCCEEDED');
    expect(classification?.output).toMatchObject({ s3_key: key, decision: expect.any(String) });
    // The intake got the rule's InputTransformer output; the classification is named from it.
    const intake = (await closedExecutionsOf(stack.deployment.intakeStateMachineArn)).find(
      (e) => e.input.key === key,
    );
    expect(intake?.input).toEqual({
      bucket: stack.config.bucket,
      key,
      sequencer: expect.stringMatching(/^[0-9A-F]+$/),
    });
    expect(classification?.name).toBe(
      executionNameForObject(intake?.input as { bucket: string; key: string; sequencer: string }),
    );
  }, 120_000);

  it('classifies nothing twice when the event is delivered again; a forged S3 event is refused', async () => {
    const key = 'incoming/delivered-twice.png';
    await put(key);
    await decided(key);
    const intakes = () =>
      closedExecutionsOf(stack.deployment.intakeStateMachineArn).then((all) =>
        all.filter((e) => e.input.key === key),
      );
    const [delivered] = await intakes();
    // A redelivery of the same event renders the same transformer output: the intake gets it again.
    const again = await stack.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stack.deployment.intakeStateMachineArn,
        input: JSON.stringify(delivered?.input),
      }),
    );
    const second = await vi.waitFor(
      async () => {
        const found = (await intakes()).find((e) => e.name === again.executionArn?.split(':').at(-1));
        expect(found).toBeDefined();
        return found as Closed;
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(second.status, second.cause).toBe('SUCCEEDED');
    expect(second.output.already_started).toMatchObject({
      Error: 'StepFunctions.ExecutionAlreadyExistsException',
    });
    expect(await classificationsOf(key)).toHaveLength(1);

    // Nobody but S3 may put S3's events on the bus (AWS: NotAuthorizedForSourceException).
    const forged = await createEventBridgeClient(stack.config).send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.s3',
            DetailType: 'Object Created',
            Detail: JSON.stringify({
              bucket: { name: stack.config.bucket },
              object: { key, sequencer: '01' },
            }),
          },
        ],
      }),
    );
    expect(forged.Entries?.[0]?.ErrorCode).toBe('NotAuthorizedForSourceException');
  }, 120_000);

  it('fails the execution of a bad image and notifies the topic with its Error, Cause and key', async () => {
    const key = 'incoming/not-an-image.png';
    await put(key, Buffer.from('this is text, not a PNG'));
    const [failed] = await decided(key);
    expect(failed?.status).toBe('FAILED');
    expect(failed?.error).toBe('InvalidImage');
    const notification = await vi.waitFor(
      () => {
        const found = subscriber.notifications.find((n) => n.message.includes(failed?.name ?? '?'));
        expect(found).toBeDefined();
        return found as { message: string };
      },
      { timeout: 30_000, interval: 100 },
    );
    const message = JSON.parse(notification.message) as Record<string, unknown>;
    expect(message).toMatchObject({
      subject: `scones: execution ${failed?.name} FAILED`,
      execution: failed?.name,
      status: 'FAILED',
      error: 'InvalidImage',
      cause: failed?.cause,
    });
    // The input is the JSON text Step Functions puts in the event: it holds the image's key.
    expect(JSON.parse(message.input as string)).toMatchObject({ s3_key: key });
    expect(message.console).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/states\/.*:execution:/);
  }, 120_000);

  it('starts nothing for an upload outside the prefix, a delete, or the objects the kit writes', async () => {
    const before = (await executionsOf(stack.deployment.intakeStateMachineArn)).length;
    await put('elsewhere/outside-the-prefix.png');
    await put('incoming-not/almost-the-prefix.png');
    await stack.s3.send(
      new DeleteObjectCommand({ Bucket: stack.config.bucket, Key: 'incoming/first-upload.png' }),
    );
    // A review item, as the state machine writes one (under review/), and captured traffic.
    await put(`${stack.config.reviewPrefix}written-by-the-kit.json`, Buffer.from('{}'));
    await put('data_capture/written-by-the-endpoint.jsonl', Buffer.from('{}'));
    // A sentinel upload after them: once it is decided, the events before it have been routed.
    await put('incoming/sentinel.png');
    await decided('incoming/sentinel.png');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const intakes = await closedExecutionsOf(stack.deployment.intakeStateMachineArn);
    expect((await executionsOf(stack.deployment.intakeStateMachineArn)).length - before).toBe(1);
    expect(intakes.filter((e) => !String(e.input.key).startsWith('incoming/'))).toEqual([]);
  }, 120_000);

  it('classifies 200 uploads in a burst: 200 outcomes, none lost, none twice', async () => {
    const images = await shippedTestImages('incoming/burst/');
    const putAt = new Map<string, number>();
    await forEachConcurrent(images, 16, async (image) => {
      putAt.set(image.key, Date.now());
      await put(image.key, image.png);
    });
    const outcomes = await vi.waitFor(
      async () => {
        const done = (await closedExecutionsOf(stack.deployment.stateMachineArn)).filter((e) =>
          putAt.has(String(e.input.s3_key)),
        );
        expect(done.length).toBeGreaterThanOrEqual(images.length);
        return done;
      },
      { timeout: 300_000, interval: 1_000 },
    );
    expect(outcomes).toHaveLength(200);
    expect(new Set(outcomes.map((e) => e.input.s3_key)).size).toBe(200);
    expect(
      outcomes.filter((e) => e.status !== 'SUCCEEDED').map((e) => [e.input.s3_key, e.error, e.cause]),
    ).toEqual([]);
    const decisions = new Set(outcomes.map((e) => e.output.decision));
    expect([...decisions].sort()).toEqual(['long-range', 'manual-review', 'short-range']);

    const latencies = outcomes
      .map((e) => e.stopMs - (putAt.get(String(e.input.s3_key)) ?? 0))
      .sort((a, b) => a - b);
    const quantile = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    console.log(
      `MiniStack PUT -> decision over ${latencies.length} uploads in a burst: p50 ${quantile(0.5)} ms, p99 ${quantile(0.99)} ms, max ${latencies.at(-1)} ms`,
    );
  }, 360_000);

  it('an alarm that goes to ALARM notifies the failure topic', async () => {
    const names = eventResourceNames(stack.config.stage);
    const cloudwatch = createCloudWatchClient(stack.config);
    const { MetricAlarms = [] } = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: Object.values(names.alarms) }),
    );
    expect(MetricAlarms.map((alarm) => alarm.AlarmActions)).toEqual(
      Object.values(names.alarms).map(() => [stack.deployment.notificationTopicArn]),
    );
    // MiniStack feeds no metric behind these alarms (see the differences page): set the state by hand.
    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: names.alarms.lowConfidenceShare,
        StateValue: 'ALARM',
        StateReason: 'test: low-confidence share over the threshold',
      }),
    );
    await vi.waitFor(
      () => {
        const alarm = subscriber.notifications
          .map((n) => JSON.parse(n.message) as { AlarmName?: string; NewStateValue?: string })
          .find((m) => m.AlarmName === names.alarms.lowConfidenceShare);
        expect(alarm?.NewStateValue).toBe('ALARM');
      },
      { timeout: 30_000, interval: 100 },
    );
  }, 60_000);
  it('documented differences: MiniStack evaluates neither the target role nor the topic policy', async () => {
    const names = eventResourceNames(stack.config.stage);
    const iam = createIamClient(stack.config);
    const sns = createSnsClient(stack.config);
    const topicArn = stack.deployment.notificationTopicArn as string;
    // On AWS either change stops the flow: EventBridge cannot start the intake with a role that may
    // not, and SNS refuses a publish its policy does not allow (docs/emulator-differences.md).
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: names.eventsRole,
        PolicyName: resourceNames(stack.config.stage).inlinePolicy,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'states:StartExecution', Resource: '*' }],
        }),
      }),
    );
    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn: topicArn,
        AttributeName: 'Policy',
        AttributeValue: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: topicArn }],
        }),
      }),
    );
    try {
      const key = 'incoming/denied/not-an-image.png';
      await put(key, Buffer.from('still not a PNG'));
      const [failed] = await decided(key);
      expect(failed?.status).toBe('FAILED');
      await vi.waitFor(
        () =>
          expect(subscriber.notifications.some((n) => n.message.includes(failed?.name ?? '?'))).toBe(true),
        { timeout: 30_000, interval: 100 },
      );
    } finally {
      // The deploy module brings both back (drift repair).
      const repaired = await stack.redeploy();
      expect(repaired.changes.filter((c) => c.change !== 'none').map((c) => `${c.kind} ${c.name}`)).toEqual([
        `topic ${names.notificationTopic}`,
        `role ${names.eventsRole}`,
      ]);
    }
  }, 120_000);
});
