/**
 * Model fault rules on the fleet: during a blue/green rollout a rule on the green model's name
 * fails only green's answers (ModelError 424 carrying the container's 500), the endpoint's
 * AWS/SageMaker metrics count them as Invocation5XXErrors and an alarm on that metric goes to
 * ALARM; over HTTP (`/_scones/faults` on a gateway) rules are replaced, added, removed and listed,
 * and a malformed rule is a 400 naming the field, nothing changed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchService } from '../../src/embedded/cloudwatch/index.ts';
import { type Gateway, startGateway } from '../../src/embedded/gateway/index.ts';
import {
  createStubPredictor,
  EndpointFleet,
  EndpointMetrics,
  FAULTS_PATH,
  faultsRoute,
  type InvocationRecord,
  ModelFaults,
  SAGEMAKER_METRICS_NAMESPACE,
} from '../../src/embedded/sagemaker-runtime/index.ts';

/** A seeded generator: the same draws on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const deployment = (modelName: string) => ({
  endpointName: 'canary',
  variants: [{ variantName: 'AllTraffic', modelName, modelDataUrl: `s3://b/${modelName}.tar.gz`, weight: 1 }],
});

describe('a fault rule on a model name', () => {
  it('fails only that model’s answers, counted as 5xx by the endpoint metrics, which an alarm sees', async () => {
    const fleet = new EndpointFleet({
      loadModel: async () => createStubPredictor({ requireImage: false }),
      random: seeded(7),
    });
    const records: InvocationRecord[] = [];
    const metrics = new EndpointMetrics();
    fleet.onInvocation((record) => {
      records.push(record);
      metrics.record(record);
    });
    await fleet.deploy(deployment('blue-model'));
    await fleet.stage(deployment('green-model'));
    await fleet.shift('canary', 0.3);
    fleet.faults.add({ modelName: 'green-model', status: 500, message: 'green is broken' });

    const answers = [];
    for (let i = 0; i < 60; i++) {
      const answer = await fleet.find('canary')?.invoke('canary', { 'content-type': 'image/png' }, PNG);
      if (!answer || answer === 'reset') throw new Error('no answer');
      answer.afterSend?.(); // what the server does once the answer is sent
      answers.push(answer);
    }
    const rollout = fleet.rollout('canary');
    const failed = answers.filter((answer) => answer.status !== 200);
    expect(rollout?.answered.green).toBeGreaterThan(5);
    expect(rollout?.answered.blue).toBeGreaterThan(20);
    // Every green answer failed, no blue one did.
    expect(failed.length).toBe(rollout?.answered.green);
    const body = JSON.parse(String(failed[0]?.body));
    expect(failed[0]?.status).toBe(424);
    expect(failed[0]?.headers['x-amzn-ErrorType']).toBe('ModelError');
    expect(body).toMatchObject({ OriginalStatusCode: 500, OriginalMessage: 'green is broken' });
    expect(records.filter((record) => record.status === 500)).toHaveLength(failed.length);
    expect(fleet.faults.injected).toBe(failed.length);

    let clock = Date.now();
    const datums = metrics.drain(new Date(clock));
    const sum = (name: string) => datums.find((datum) => datum.MetricName === name)?.StatisticValues.Sum;
    expect(sum('Invocations')).toBe(60);
    expect(sum('Invocation5XXErrors')).toBe(failed.length);
    expect(sum('Invocation4XXErrors')).toBe(0);

    const dir = await mkdtemp(path.join(tmpdir(), 'scones-model-faults-'));
    const cloudwatch = await createCloudWatchService({
      dataDir: dir,
      evaluationIntervalMs: 0,
      now: () => clock,
    });
    try {
      cloudwatch.ingest(SAGEMAKER_METRICS_NAMESPACE, datums);
      await cloudwatch.call('PutMetricAlarm', {
        AlarmName: 'canary-5xx',
        Namespace: SAGEMAKER_METRICS_NAMESPACE,
        MetricName: 'Invocation5XXErrors',
        Dimensions: [
          { Name: 'EndpointName', Value: 'canary' },
          { Name: 'VariantName', Value: 'AllTraffic' },
        ],
        Statistic: 'Sum',
        Period: 10,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
      clock += 20_000; // alarms read complete periods only
      cloudwatch.evaluateAlarms();
      const described = (await cloudwatch.call('DescribeAlarms', { AlarmNames: ['canary-5xx'] })) as {
        MetricAlarms: { StateValue: string }[];
      };
      expect(described.MetricAlarms[0]?.StateValue).toBe('ALARM');
    } finally {
      await cloudwatch.close();
      await rm(dir, { recursive: true, force: true });
      await fleet.stop();
    }
  });

  it('matches by endpoint and variant, with a share, and stops when cleared', () => {
    const faults = new ModelFaults(seeded(3));
    faults.add([{ endpointName: 'a', variantName: 'V1', status: 503, share: 0.5 }]);
    const target = { endpointName: 'a', variantName: 'V1', modelName: 'm' };
    const hits = Array.from({ length: 400 }, () => faults.take(target)).filter(Boolean).length;
    expect(hits).toBeGreaterThan(150);
    expect(hits).toBeLessThan(250);
    expect(faults.take({ endpointName: 'a', variantName: 'V2' })).toBeUndefined();
    expect(faults.take({ endpointName: 'b', variantName: 'V1' })).toBeUndefined();
    faults.clear();
    expect(faults.take(target)).toBeUndefined();
  });
});

describe(`${FAULTS_PATH} on a gateway`, () => {
  let gateway: Gateway;
  const faults = new ModelFaults();
  const send = async (method: string, body?: string) => {
    const response = await fetch(`${gateway.url}${FAULTS_PATH}`, {
      method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  beforeAll(async () => {
    gateway = await startGateway({ routes: [faultsRoute(faults)], name: 'test', exposed: 'faults' });
  });
  afterAll(() => gateway.stop());

  it('replaces (POST), adds (PATCH), lists (GET) and removes (DELETE) rules', async () => {
    const green = { modelName: 'green-model', status: 500 };
    expect(await send('POST', JSON.stringify([green]))).toEqual({ status: 200, body: [green] });
    const other = { endpointName: 'x', status: 503, share: 0.25, message: 'busy' };
    expect((await send('PATCH', JSON.stringify(other))).body).toEqual([green, other]);
    expect((await send('GET')).body).toEqual([green, other]);
    expect((await send('DELETE', JSON.stringify(green))).body).toEqual([other]);
    expect(await send('DELETE')).toEqual({ status: 200, body: [] });
    expect(faults.list()).toEqual([]);
  });

  it('answers 400 naming the field for a malformed rule, and keeps the rules in force', async () => {
    await send('POST', JSON.stringify({ modelName: 'kept', status: 500 }));
    const badStatus = await send('PATCH', JSON.stringify([{ modelName: 'm', status: 200 }]));
    expect(badStatus.status).toBe(400);
    expect((badStatus.body as { message: string }).message).toMatch(/^rules\[0\]\.status: .*400\.\.599/);
    const badShare = await send('POST', JSON.stringify({ status: 500, share: 2 }));
    expect((badShare.body as { message: string }).message).toMatch(/^rule\.share: /);
    const unknown = await send('POST', JSON.stringify({ status: 500, modelname: 'typo' }));
    expect((unknown.body as { message: string }).message).toMatch(/unknown field.*"modelname"/);
    const missing = await send('POST', JSON.stringify({ modelName: 'm' }));
    expect((missing.body as { message: string }).message).toMatch(/^rule\.status: status is required/);
    const notJson = await send('POST', '{"status": 500');
    expect(notJson.status).toBe(400);
    expect((notJson.body as { message: string }).message).toMatch(/not JSON/);
    expect((await send('PUT', '[]')).status).toBe(405);
    expect(faults.list()).toEqual([{ modelName: 'kept', status: 500 }]);
  });
});
