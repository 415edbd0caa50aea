/**
 * The retraining rules on the embedded tier's bus: a CloudWatch alarm state-change event (the drift
 * alarm, the reviewed-labels alarm) put on the local bus starts the retraining state machine with
 * the trigger in its input, one retraining at a time; a running stack with the trigger creates the
 * reviewed-labels alarm in its CloudWatch with the configured N. (No dataset is staged, so each
 * retraining fails at BuildTrainingSet: what is checked here is that the events start them.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EmbeddedTrigger } from '../../src/embedded/events/index.ts';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor } from '../../src/embedded/sagemaker-runtime/index.ts';
import type { ExecutionStatusSnapshot } from '../../src/events/execution-events.ts';
import { eventResourceNames, retrainingNames } from '../../src/workflow/names.ts';
import { stackClientOptions } from './sagemaker/gateway-support.ts';

let runtime: EmbeddedRuntime;
let dataDir: string;
const retrainings: ExecutionStatusSnapshot[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'scones-retrain-trigger-'));
  runtime = await startEmbeddedRuntime({
    dataDir,
    predictor: createStubPredictor(),
    retryDelayMs: 0,
    trigger: true,
    stepFunctionsApi: true,
    port: 0,
    s3Thread: false,
    env: { SCONES_RETRAIN_LABELS: '7' },
  });
  const retrainingName = `:stateMachine:${retrainingNames(runtime.config.stage).stateMachine}`;
  runtime.engine.stateMachines.subscribe((snapshot) => {
    if (snapshot.stateMachineArn.endsWith(retrainingName)) retrainings.push(snapshot);
  });
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const alarmEvent = (alarmName: string, value: string) => ({
  version: '0',
  id: `event-${alarmName}-${value}`,
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: '000000000000',
  time: new Date().toISOString(),
  region: runtime.config.region,
  resources: [`arn:aws:cloudwatch:${runtime.config.region}:000000000000:alarm:${alarmName}`],
  detail: { alarmName, state: { value, reason: 'test' }, previousState: { value: 'OK', reason: '' } },
});

describe('retraining triggers on the embedded bus', () => {
  it('a drift alarm and a reviewed-labels alarm going to ALARM each start one retraining, one at a time', async () => {
    const trigger = runtime.trigger as EmbeddedTrigger;
    const stage = runtime.config.stage;
    const drift = eventResourceNames(stage).alarms.lowConfidenceShare;
    const labels = retrainingNames(stage).reviewedLabelsAlarm;
    expect(trigger.bus.putEvent(alarmEvent(drift, 'OK'))).toBe(0);
    expect(trigger.bus.putEvent(alarmEvent(drift, 'ALARM'))).toBe(1);
    expect(trigger.bus.putEvent(alarmEvent(labels, 'ALARM'))).toBe(1);
    await trigger.idle();
    const closed = retrainings.filter((snapshot) => snapshot.status !== 'RUNNING');
    expect(closed.map((snapshot) => snapshot.input)).toEqual([
      { trigger: 'alarm', alarm: drift },
      { trigger: 'reviewed-labels' },
    ]);
    // The second started only after the first had closed.
    const [first, second] = closed as [ExecutionStatusSnapshot, ExecutionStatusSnapshot];
    expect(second.startDate.getTime()).toBeGreaterThanOrEqual((first.stopDate as Date).getTime());
    // Nothing staged: each one fails where it reads the dataset, a recorded failure with its error.
    expect(closed.every((snapshot) => snapshot.status === 'FAILED' && snapshot.error)).toBe(true);
  }, 60_000);

  it('creates the reviewed-labels alarm in the stack CloudWatch: Sum of ReviewedLabels >= N in a period', async () => {
    const cloudwatch = new CloudWatchClient(stackClientOptions(runtime.localS3.endpoint));
    try {
      const name = retrainingNames(runtime.config.stage).reviewedLabelsAlarm;
      const { MetricAlarms = [] } = await vi.waitFor(() =>
        cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] })),
      );
      expect(MetricAlarms).toHaveLength(1);
      expect(MetricAlarms[0]).toMatchObject({
        Namespace: 'Scones',
        MetricName: 'ReviewedLabels',
        Statistic: 'Sum',
        Threshold: 7,
        Period: 3600,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    } finally {
      cloudwatch.destroy();
    }
  });
});
