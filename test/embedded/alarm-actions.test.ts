/**
 * Alarm state changes set things off as on AWS: the SNS topics of the new state's actions get
 * CloudWatch's JSON message (in the local SNS's file), only while actions are enabled, and the
 * "CloudWatch Alarm State Change" event goes on the bus, where a rule on `detail.alarmName` and
 * `detail.state.value` fires. First over the pieces (a fake clock), then on a running stack in
 * event-driven mode through @aws-sdk/client-cloudwatch, where `/_scones/faults` is served too.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/config.ts';
import { routeAlarmChanges } from '../../src/embedded/alarm-actions.ts';
import { type CloudWatchService, createCloudWatchService } from '../../src/embedded/cloudwatch/index.ts';
import { LocalEventBus, NotificationSink } from '../../src/embedded/events/index.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { compileEventPattern } from '../../src/events/pattern.ts';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:scones-alarms';
const OK_TOPIC = 'arn:aws:sns:us-east-1:000000000000:scones-ok';

const alarmInput = (name: string, actionsEnabled = true) => ({
  AlarmName: name,
  AlarmDescription: 'the canary answers 5xx',
  ActionsEnabled: actionsEnabled,
  AlarmActions: [TOPIC, 'arn:aws:automate:us-east-1:ec2:stop'],
  OKActions: [OK_TOPIC],
  Namespace: 'AWS/SageMaker',
  MetricName: 'Invocation5XXErrors',
  Dimensions: [
    { Name: 'EndpointName', Value: 'canary' },
    { Name: 'VariantName', Value: 'AllTraffic' },
  ],
  Statistic: 'Sum' as const,
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 0,
  ComparisonOperator: 'GreaterThanThreshold' as const,
  TreatMissingData: 'notBreaching',
});

const linesOf = async (file: string) =>
  (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map(
      (line) => JSON.parse(line) as { topicArn: string; subject?: string; message: Record<string, unknown> },
    );

describe('alarm state changes, over the pieces', () => {
  let dir: string;
  let cloudwatch: CloudWatchService;
  let sink: NotificationSink;
  const bus = new LocalEventBus();
  const fired: Record<string, unknown>[] = [];
  const logged: string[] = [];
  let stop: () => Promise<void>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scones-alarm-actions-'));
    cloudwatch = await createCloudWatchService({
      dataDir: path.join(dir, 'cloudwatch'),
      evaluationIntervalMs: 0,
      now: () => Date.UTC(2026, 11, 7, 9, 0, 0),
    });
    sink = new NotificationSink({ directory: path.join(dir, 'notifications') });
    const matches = compileEventPattern({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: ['canary-5xx'], state: { value: ['ALARM'] } },
    });
    bus.putRule({
      name: 'rollback',
      arn: 'arn:aws:events:us-east-1:000000000000:rule/rollback',
      matches,
      targets: [{ id: 'record', arn: 'arn:test', deliver: (_input, event) => void fired.push(event) }],
    });
    stop = routeAlarmChanges(cloudwatch, { notifications: sink, bus, log: (m) => logged.push(m) }).stop;
  });
  afterAll(async () => {
    await stop();
    await cloudwatch.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes CloudWatch’s message to the ALARM topics and puts the event a rule fires on', async () => {
    await cloudwatch.call('PutMetricAlarm', alarmInput('canary-5xx'));
    await cloudwatch.call('SetAlarmState', {
      AlarmName: 'canary-5xx',
      StateValue: 'ALARM',
      StateReason: 'canary fails',
      StateReasonData: '{"version":"1.0"}',
    });
    await bus.idle();
    await sink.idle();
    const [line, ...more] = await linesOf(sink.fileOf(TOPIC));
    expect(more).toEqual([]);
    expect(line?.subject).toBe('ALARM: "canary-5xx" in US East (N. Virginia)');
    expect(line?.message).toMatchObject({
      AlarmName: 'canary-5xx',
      AlarmDescription: 'the canary answers 5xx',
      AWSAccountId: '000000000000',
      NewStateValue: 'ALARM',
      NewStateReason: 'canary fails',
      StateChangeTime: '2026-12-07T09:00:00.000+0000',
      Region: 'US East (N. Virginia)',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:canary-5xx',
      Trigger: {
        MetricName: 'Invocation5XXErrors',
        Namespace: 'AWS/SageMaker',
        StatisticType: 'Statistic',
        Statistic: 'SUM',
        Unit: null,
        Dimensions: [
          { value: 'canary', name: 'EndpointName' },
          { value: 'AllTraffic', name: 'VariantName' },
        ],
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        TreatMissingData: 'notBreaching',
      },
    });
    // The first evaluation (no data, notBreaching) took it to OK: that was the state it left.
    expect(line?.message.OldStateValue).toBe('OK');
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      resources: ['arn:aws:cloudwatch:us-east-1:000000000000:alarm:canary-5xx'],
      detail: {
        alarmName: 'canary-5xx',
        state: { value: 'ALARM', reason: 'canary fails', reasonData: '{"version":"1.0"}' },
        previousState: { value: 'OK' },
        configuration: {
          description: 'the canary answers 5xx',
          metrics: [
            {
              metricStat: {
                metric: {
                  namespace: 'AWS/SageMaker',
                  name: 'Invocation5XXErrors',
                  dimensions: { EndpointName: 'canary', VariantName: 'AllTraffic' },
                },
                period: 60,
                stat: 'Sum',
              },
              returnData: true,
            },
          ],
        },
      },
    });
    expect(logged.join('\n')).toMatch(/arn:aws:automate:us-east-1:ec2:stop is not run locally/);
  });

  it('publishes nothing while actions are disabled, yet the event is still put', async () => {
    const before = (await linesOf(sink.fileOf(TOPIC))).length;
    const events: unknown[] = [];
    bus.putRule({
      name: 'any',
      arn: 'arn:aws:events:us-east-1:000000000000:rule/any',
      matches: compileEventPattern({ detail: { alarmName: ['quiet'] } }),
      targets: [{ id: 'record', arn: 'arn:test', deliver: (_input, event) => void events.push(event) }],
    });
    await cloudwatch.call('PutMetricAlarm', alarmInput('quiet', false));
    await cloudwatch.call('SetAlarmState', { AlarmName: 'quiet', StateValue: 'ALARM', StateReason: 'test' });
    await bus.idle();
    await sink.idle();
    expect((await linesOf(sink.fileOf(TOPIC))).length).toBe(before);
    expect(events.length).toBeGreaterThanOrEqual(2); // INSUFFICIENT_DATA -> OK, OK -> ALARM
  });
});

describe('on a running stack in event-driven mode', () => {
  let dir: string;
  let runtime: EmbeddedRuntime;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scones-alarm-stack-'));
    runtime = await startEmbeddedRuntime({
      dataDir: dir,
      stepFunctionsApi: true,
      trigger: true,
      port: 0,
      s3Thread: false,
    });
  });
  afterAll(async () => {
    await runtime?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('SetAlarmState through the SDK writes the OK and ALARM topics’ messages', async () => {
    const client = new CloudWatchClient({
      endpoint: runtime.localS3.endpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    await client.send(new PutMetricAlarmCommand(alarmInput('stack-alarm')));
    await client.send(
      new SetAlarmStateCommand({ AlarmName: 'stack-alarm', StateValue: 'ALARM', StateReason: 'x' }),
    );
    client.destroy();
    await runtime.trigger?.idle();
    const sink = runtime.trigger?.notifications as NotificationSink;
    const alarm = await linesOf(sink.fileOf(TOPIC));
    const ok = await linesOf(sink.fileOf(OK_TOPIC));
    expect(alarm.map((line) => line.message.NewStateValue)).toEqual(['ALARM']);
    expect(ok.map((line) => line.message.NewStateValue)).toEqual(['OK']);
  });

  it('serves the fleet’s fault rules on /_scones/faults', async () => {
    const url = `${runtime.localS3.endpoint}/_scones/faults`;
    const rule = { modelName: 'green', status: 503 };
    const posted = await fetch(url, { method: 'POST', body: JSON.stringify([rule]) });
    expect(posted.status).toBe(200);
    expect(runtime.faults.list()).toEqual([rule]);
    const bad = await fetch(url, { method: 'PATCH', body: JSON.stringify({ status: 'x' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^rule\.status: /);
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(200);
    expect(runtime.faults.list()).toEqual([]);
  });
});
