/**
 * UpdateEndpoint's DeploymentConfig: its shape (the API reference's constraints as data), the
 * checks SageMaker makes against the new config, and the traffic steps of a blue/green deployment
 * as the developer guide describes them:
 *
 *   ALL_AT_ONCE  100 % to the new (green) fleet, then a baking period;
 *   CANARY       CanarySize to green, a baking period, then the rest;
 *   LINEAR       LinearStepSize more to green per step, a baking period after each step short of all.
 *
 * Each baking period lasts WaitIntervalInSeconds; the CloudWatch alarms of the
 * AutoRollbackConfiguration are watched while it runs.
 */
import { ValidationException } from '../errors.ts';
import type { CapacitySizeRecord, DeploymentConfigRecord, EndpointConfigRecord } from '../types.ts';
import { OPAQUE } from '../validation/common.ts';
import { int, list, oneOf, str, struct } from '../validation/shapes.ts';

const CAPACITY_SIZE = struct(
  { Type: oneOf(['INSTANCE_COUNT', 'CAPACITY_PERCENT']), Value: int({ min: 1 }) },
  ['Type', 'Value'],
);

export const DEPLOYMENT_CONFIG = struct({
  BlueGreenUpdatePolicy: struct(
    {
      TrafficRoutingConfiguration: struct(
        {
          Type: oneOf(['ALL_AT_ONCE', 'CANARY', 'LINEAR']),
          WaitIntervalInSeconds: int({ min: 0, max: 3600 }),
          CanarySize: CAPACITY_SIZE,
          LinearStepSize: CAPACITY_SIZE,
        },
        ['Type', 'WaitIntervalInSeconds'],
      ),
      TerminationWaitInSeconds: int({ min: 0, max: 3600 }),
      MaximumExecutionTimeoutInSeconds: int({ min: 600, max: 28800 }),
    },
    ['TrafficRoutingConfiguration'],
  ),
  RollingUpdatePolicy: OPAQUE,
  AutoRollbackConfiguration: struct({
    Alarms: list(struct({ AlarmName: str({ min: 1, max: 255, pattern: '^(?!\\s*$).+' }) }, ['AlarmName']), {
      min: 1,
      max: 10,
    }),
  }),
});

/** One step of the rollout: the share of invocations green answers, and whether a baking period follows. */
export interface TrafficStep {
  greenShare: number;
  bake: boolean;
}

export interface TrafficPlan {
  steps: TrafficStep[];
  waitSeconds: number;
  terminationWaitSeconds: number;
  maximumSeconds: number;
  alarms: string[];
}

/** The new fleet's instances (a serverless variant counts as one). */
function instanceCount(config: EndpointConfigRecord): number {
  return config.ProductionVariants.reduce((sum, variant) => sum + (variant.InitialInstanceCount ?? 1), 0);
}

function share(size: CapacitySizeRecord, instances: number): number {
  return size.Type === 'CAPACITY_PERCENT' ? size.Value / 100 : size.Value / instances;
}

function describeSize(size: CapacitySizeRecord): string {
  return `${size.Type} ${size.Value}`;
}

/**
 * The steps `deployment` takes to `config`, or SageMaker's ValidationException when the policy
 * does not fit the new fleet (a canary above half of it, a linear step outside 10-50 %).
 */
export function trafficPlan(deployment: DeploymentConfigRecord, config: EndpointConfigRecord): TrafficPlan {
  if (deployment.RollingUpdatePolicy)
    throw new ValidationException(
      'The local SageMaker runs blue/green deployments (BlueGreenUpdatePolicy); RollingUpdatePolicy is not available.',
    );
  const policy = deployment.BlueGreenUpdatePolicy;
  if (!policy)
    throw new ValidationException(
      'DeploymentConfig must specify BlueGreenUpdatePolicy or RollingUpdatePolicy.',
    );
  const routing = policy.TrafficRoutingConfiguration;
  const instances = instanceCount(config);
  const steps: TrafficStep[] = [];
  if (routing.Type === 'ALL_AT_ONCE') {
    if (routing.CanarySize || routing.LinearStepSize)
      throw new ValidationException(
        'CanarySize and LinearStepSize must not be specified for the ALL_AT_ONCE traffic routing type.',
      );
    steps.push({ greenShare: 1, bake: true });
  } else if (routing.Type === 'CANARY') {
    const size = routing.CanarySize;
    if (!size)
      throw new ValidationException('CanarySize must be specified for the CANARY traffic routing type.');
    if (routing.LinearStepSize)
      throw new ValidationException(
        'LinearStepSize must not be specified for the CANARY traffic routing type.',
      );
    const canary = share(size, instances);
    if (canary > 0.5)
      throw new ValidationException(
        `CanarySize (${describeSize(size)}) must be less than or equal to 50% of the new fleet's total instance count (${instances}).`,
      );
    steps.push({ greenShare: canary, bake: true }, { greenShare: 1, bake: false });
  } else {
    const size = routing.LinearStepSize;
    if (!size)
      throw new ValidationException('LinearStepSize must be specified for the LINEAR traffic routing type.');
    if (routing.CanarySize)
      throw new ValidationException('CanarySize must not be specified for the LINEAR traffic routing type.');
    const step = share(size, instances);
    if (step < 0.1 || step > 0.5)
      throw new ValidationException(
        `LinearStepSize (${describeSize(size)}) must be between 10% and 50% of the new fleet's total instance count (${instances}).`,
      );
    // Whole steps in hundredths, so 3 x 33 % is three steps and a last one to 100 %.
    const hundredths = Math.round(step * 100);
    for (let at = hundredths; at < 100; at += hundredths) steps.push({ greenShare: at / 100, bake: true });
    steps.push({ greenShare: 1, bake: false });
  }
  return {
    steps,
    waitSeconds: routing.WaitIntervalInSeconds,
    terminationWaitSeconds: policy.TerminationWaitInSeconds ?? 0,
    maximumSeconds: policy.MaximumExecutionTimeoutInSeconds ?? 28_800,
    alarms: (deployment.AutoRollbackConfiguration?.Alarms ?? []).map((alarm) => alarm.AlarmName),
  };
}
