/**
 * UpdateEndpoint with a DeploymentConfig (blue/green) over the runtime's EndpointFleet with stub
 * models: a canary promoted (its stages in DescribeEndpoint, the old fleet let go), a canary
 * rolled back when an injected alarm goes to ALARM (green answered no more than its share), linear
 * steps, a green that does not load, and the API reference's checks on DeploymentConfig. Every
 * invocation made during a rollout is answered. Baking periods are 1 s; alarms are read every 20 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmState } from '../../../src/embedded/sagemaker/index.ts';
import { createStubPredictor, EndpointFleet } from '../../../src/embedded/sagemaker-runtime/index.ts';
import { BUCKET, type Harness, IMAGE, put, ROLE, rejection, startHarness, until } from './support.ts';

interface Variant {
  VariantName: string;
  CurrentWeight: number;
  VariantStatus?: { Status: string; StatusMessage: string }[];
}
interface Described {
  EndpointStatus: string;
  EndpointConfigName: string;
  FailureReason?: string;
  ProductionVariants?: Variant[];
  PendingDeploymentSummary?: { EndpointConfigName: string; ProductionVariants?: Variant[] };
  LastDeploymentConfig?: unknown;
}

/** A fleet whose rollback can be held, so the RollingBack status can be seen. */
class HeldFleet extends EndpointFleet {
  hold: Promise<void> | undefined;
  override async discard(endpointName: string): Promise<void> {
    await this.hold;
    return super.discard(endpointName);
  }
}

/** A seeded generator: the draws between fleets are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const alarms = new Map<string, AlarmState>();
let fleet: HeldFleet;
let harness: Harness;
const call = (action: string, input: unknown) => harness.service.call(action, input);
const describeEndpoint = (name: string) =>
  call('DescribeEndpoint', { EndpointName: name }) as Promise<Described>;

async function invoke(name: string): Promise<string> {
  const served = fleet.find(name);
  if (!served) throw new Error(`${name} is not served`);
  const answer = await served.invoke(name, { 'content-type': 'application/x-image' }, Buffer.from('image'));
  if (answer === 'reset' || answer.status !== 200) throw new Error(`invocation of ${name} failed`);
  answer.afterSend?.(); // what the server does once the answer is sent
  return String(answer.headers?.['x-Amzn-Invoked-Production-Variant']);
}

/** Invokes `name` without pause until stopped; counts the answers per variant and the failures. */
function traffic(name: string) {
  const answers: Record<string, number> = {};
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      await invoke(name).then(
        (variant) => {
          answers[variant] = (answers[variant] ?? 0) + 1;
        },
        () => failures++,
      );
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return {
    answers,
    async stop() {
      running = false;
      await loop;
      return { answers, failures };
    },
  };
}

async function createModel(name: string, key: string) {
  await put(harness.s3, key, 'model bytes (the stub loader reads the URL only)');
  await call('CreateModel', {
    ModelName: name,
    PrimaryContainer: { Image: IMAGE, ModelDataUrl: `s3://${BUCKET}/${key}` },
    ExecutionRoleArn: ROLE,
  });
}

async function createConfig(name: string, variant: string, model: string, instances = 1) {
  await call('CreateEndpointConfig', {
    EndpointConfigName: name,
    ProductionVariants: [
      {
        VariantName: variant,
        ModelName: model,
        InstanceType: 'ml.m5.large',
        InitialInstanceCount: instances,
      },
    ],
  });
}

async function createEndpoint(name: string, config: string) {
  await call('CreateEndpoint', { EndpointName: name, EndpointConfigName: config });
  await until(
    () => describeEndpoint(name),
    (endpoint) => endpoint.EndpointStatus === 'InService',
  );
}

const canary = (wait: number, alarmNames: string[] = []) => ({
  BlueGreenUpdatePolicy: {
    TrafficRoutingConfiguration: {
      Type: 'CANARY',
      WaitIntervalInSeconds: wait,
      CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 },
    },
    TerminationWaitInSeconds: 0,
  },
  ...(alarmNames.length
    ? { AutoRollbackConfiguration: { Alarms: alarmNames.map((AlarmName) => ({ AlarmName })) } }
    : {}),
});

/** Polls DescribeEndpoint until it is InService again, keeping each distinct stage seen. */
async function stagesUntilSettled(name: string) {
  const seen: string[] = [];
  const endpoint = await until(
    async () => {
      const described = await describeEndpoint(name);
      const green = described.PendingDeploymentSummary?.ProductionVariants?.[0];
      const stage = `${described.EndpointStatus}${green?.VariantStatus?.[0] ? ` ${green.VariantStatus[0].Status} ${green.CurrentWeight}` : ''}`;
      if (seen.at(-1) !== stage) seen.push(stage);
      return described;
    },
    (described) => described.EndpointStatus === 'InService',
  );
  return { seen, endpoint };
}

beforeAll(async () => {
  fleet = new HeldFleet({
    loadModel: async (url) => {
      if (url.includes('broken')) throw new Error('not a model archive');
      return createStubPredictor({ requireImage: false, probabilities: [0.6, 0.4] });
    },
    random: seeded(7),
  });
  harness = await startHarness({
    hosting: fleet,
    alarmPollIntervalMs: 20,
    alarmStates: async (names) => {
      if (names.includes('unreadable')) throw new Error('DescribeAlarms failed');
      return Object.fromEntries(names.map((name) => [name, alarms.get(name) ?? 'OK']));
    },
  });
  await createModel('blue', 'models/blue/model.tar.gz');
  await createModel('green', 'models/green/model.tar.gz');
  await createModel('broken', 'models/broken/model.tar.gz');
  await createConfig('blue', 'Blue', 'blue');
  await createConfig('green', 'Green', 'green', 4);
  await createConfig('green-linear', 'Green', 'green', 5);
  await createConfig('broken', 'Green', 'broken', 2);
});
afterAll(async () => {
  await harness?.close();
  await fleet?.stop();
});

describe('UpdateEndpoint with a blue/green DeploymentConfig', () => {
  it('promotes a canary: Creating, the canary baking with its share, then all; blue let go', async () => {
    await createEndpoint('canary', 'blue');
    const load = traffic('canary');
    await call('UpdateEndpoint', {
      EndpointName: 'canary',
      EndpointConfigName: 'green',
      DeploymentConfig: canary(1),
    });
    const { seen, endpoint } = await stagesUntilSettled('canary');
    const { answers, failures } = await load.stop();

    expect(seen).toContain('Updating Baking 0.25');
    expect(seen.indexOf('Updating Baking 0.25')).toBeLessThan(seen.indexOf('InService'));
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'green' });
    expect(endpoint.PendingDeploymentSummary).toBeUndefined();
    expect(endpoint.FailureReason).toBeUndefined();
    expect(endpoint.LastDeploymentConfig).toEqual(canary(1));
    expect(endpoint.ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight])).toEqual([['Green', 1]]);
    expect(failures).toBe(0);
    expect(answers.Blue).toBeGreaterThan(0);
    expect(answers.Green).toBeGreaterThan(0);
    // Blue is gone: every invocation now answered by green.
    for (let i = 0; i < 20; i++) expect(await invoke('canary')).toBe('Green');
    expect(fleet.rollout('canary')).toBeUndefined();
  });

  it('rolls a canary back when an alarm goes to ALARM while it bakes: blue serves, green answered its share at most', async () => {
    await createEndpoint('rollback', 'blue');
    alarms.set('rollback-errors', 'OK');
    const load = traffic('rollback');
    let release: () => void = () => undefined;
    fleet.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    await call('UpdateEndpoint', {
      EndpointName: 'rollback',
      EndpointConfigName: 'green',
      DeploymentConfig: canary(3, ['rollback-errors']),
    });
    await until(
      () => describeEndpoint('rollback'),
      (e) => e.PendingDeploymentSummary?.ProductionVariants?.[0]?.VariantStatus?.[0]?.Status === 'Baking',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    alarms.set('rollback-errors', 'ALARM');
    const rolling = await until(
      () => describeEndpoint('rollback'),
      (e) => e.EndpointStatus !== 'Updating',
    );
    expect(rolling.EndpointStatus).toBe('RollingBack');
    const during = { ...load.answers };
    release();
    const { endpoint } = await stagesUntilSettled('rollback');
    const { failures } = await load.stop();
    fleet.hold = undefined;

    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'blue' });
    expect(endpoint.FailureReason).toContain('rollback-errors');
    expect(endpoint.FailureReason).toContain('ALARM');
    expect(endpoint.PendingDeploymentSummary).toBeUndefined();
    expect(endpoint.ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight])).toEqual([['Blue', 1]]);
    const total = (during.Blue ?? 0) + (during.Green ?? 0);
    expect(total).toBeGreaterThan(50);
    expect(during.Green ?? 0).toBeGreaterThan(0);
    expect((during.Green ?? 0) / total).toBeLessThanOrEqual(0.25 + 0.08);
    expect(failures).toBe(0);
    for (let i = 0; i < 20; i++) expect(await invoke('rollback')).toBe('Blue');
  });

  it('shifts LINEAR steps, baking after each, then all', async () => {
    await createEndpoint('linear', 'blue');
    const load = traffic('linear');
    await call('UpdateEndpoint', {
      EndpointName: 'linear',
      EndpointConfigName: 'green-linear',
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: {
            Type: 'LINEAR',
            WaitIntervalInSeconds: 1,
            LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 40 },
          },
        },
      },
    });
    const { seen, endpoint } = await stagesUntilSettled('linear');
    const { failures } = await load.stop();
    const baked = seen.filter((stage) => stage.includes('Baking'));
    expect(baked).toEqual(['Updating Baking 0.4', 'Updating Baking 0.8']);
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'green-linear' });
    expect(failures).toBe(0);
  });

  it('fails the update when green does not load: blue keeps serving, FailureReason names the variant', async () => {
    await createEndpoint('bad-green', 'blue');
    await call('UpdateEndpoint', {
      EndpointName: 'bad-green',
      EndpointConfigName: 'broken',
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
        },
      },
    });
    const { endpoint } = await stagesUntilSettled('bad-green');
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'blue' });
    expect(endpoint.FailureReason).toMatch(/production variant Green did not pass the ping health check/);
    expect(endpoint.PendingDeploymentSummary).toBeUndefined();
    expect(await invoke('bad-green')).toBe('Blue');
  });

  it("refuses bad DeploymentConfig values with SageMaker's ValidationException", async () => {
    await createEndpoint('refusals', 'blue');
    const update = (DeploymentConfig: unknown, config = 'green') =>
      rejection(
        call('UpdateEndpoint', { EndpointName: 'refusals', EndpointConfigName: config, DeploymentConfig }),
        'ValidationException',
      );
    const shape = await update({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: { Type: 'SLOW', WaitIntervalInSeconds: 4000 },
        MaximumExecutionTimeoutInSeconds: 10,
      },
      AutoRollbackConfiguration: { Alarms: [] },
    });
    expect(shape.message).toBe(
      '4 validation errors detected: ' +
        "Value 'SLOW' at 'deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration.type' failed to satisfy constraint: Member must satisfy enum value set: [ALL_AT_ONCE, CANARY, LINEAR]; " +
        "Value '4000' at 'deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration.waitIntervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 3600; " +
        "Value '10' at 'deploymentConfig.blueGreenUpdatePolicy.maximumExecutionTimeoutInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 600; " +
        "Value '[]' at 'deploymentConfig.autoRollbackConfiguration.alarms' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const missing = await update({
      BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', WaitIntervalInSeconds: 1 } },
    });
    expect(missing.message).toBe('CanarySize must be specified for the CANARY traffic routing type.');
    const tooBig = await update({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          WaitIntervalInSeconds: 1,
          CanarySize: { Type: 'CAPACITY_PERCENT', Value: 60 },
        },
      },
    });
    expect(tooBig.message).toContain('must be less than or equal to 50%');
    const step = await update({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'LINEAR',
          WaitIntervalInSeconds: 1,
          LinearStepSize: { Type: 'INSTANCE_COUNT', Value: 3 },
        },
      },
    });
    expect(step.message).toContain('must be between 10% and 50%');
    expect((await describeEndpoint('refusals')).EndpointStatus).toBe('InService');
  });

  it('rolls back when the alarm states cannot be read', async () => {
    await createEndpoint('unreadable', 'blue');
    await call('UpdateEndpoint', {
      EndpointName: 'unreadable',
      EndpointConfigName: 'green',
      DeploymentConfig: canary(1, ['unreadable']),
    });
    const { endpoint } = await stagesUntilSettled('unreadable');
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'blue' });
    expect(endpoint.FailureReason).toContain('could not be read (DescribeAlarms failed)');
    expect(fleet.rollout('unreadable')).toBeUndefined();
    expect(await invoke('unreadable')).toBe('Blue');
  });

  it('stops a rollout on DeleteEndpoint: both fleets let go, the endpoint gone', async () => {
    await createEndpoint('deleted', 'blue');
    await call('UpdateEndpoint', {
      EndpointName: 'deleted',
      EndpointConfigName: 'green',
      DeploymentConfig: canary(60),
    });
    await until(
      () => describeEndpoint('deleted'),
      (e) => e.PendingDeploymentSummary?.ProductionVariants?.[0]?.VariantStatus?.[0]?.Status === 'Baking',
    );
    expect(fleet.rollout('deleted')?.greenShare).toBe(0.25);
    const asked = Date.now();
    await call('DeleteEndpoint', { EndpointName: 'deleted' });
    await until(
      () => call('ListEndpoints', { NameContains: 'deleted' }) as Promise<{ Endpoints: unknown[] }>,
      (list) => list.Endpoints.length === 0,
    );
    expect(Date.now() - asked).toBeLessThan(2_000);
    expect(fleet.find('deleted')).toBeUndefined();
  });

  it('serves blue again after a restart during a rollout, saying the update did not finish', async () => {
    await createEndpoint('restarted', 'blue');
    await call('UpdateEndpoint', {
      EndpointName: 'restarted',
      EndpointConfigName: 'green',
      DeploymentConfig: canary(60),
    });
    await until(
      () => describeEndpoint('restarted'),
      (e) => e.PendingDeploymentSummary?.ProductionVariants?.[0]?.VariantStatus?.[0]?.Status === 'Baking',
    );
    const asked = Date.now();
    await harness.restart();
    expect(Date.now() - asked).toBeLessThan(2_000);
    const endpoint = await describeEndpoint('restarted');
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'blue' });
    expect(endpoint.FailureReason).toContain('did not finish');
    expect(endpoint.ProductionVariants?.map((v) => [v.VariantName, v.CurrentWeight])).toEqual([['Blue', 1]]);
    expect(endpoint.PendingDeploymentSummary).toBeUndefined();
    expect(fleet.rollout('restarted')).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(await invoke('restarted')).toBe('Blue');
  });
});
