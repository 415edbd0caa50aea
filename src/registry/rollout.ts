/**
 * `scones rollout <version>` and `scones rollback [<version>]`: a registry version (or, rolling
 * back, the kit's original model) onto the stage's endpoint as the retraining would deploy it, one
 * canary at a time: CreateModel (the version's container) -> CreateEndpointConfig (the serving
 * config's variant and data capture, so traffic keeps being captured for the next retraining) ->
 * UpdateEndpoint with a blue/green CANARY DeploymentConfig and, when CloudWatch has the stage's
 * rollout alarm (`scones-<stage>-endpoint-5xx`), AutoRollbackConfiguration on it -> DescribeEndpoint
 * until InService: on the new config, promoted; on the old one, rolled back (FailureReason says why).
 *
 * Refused by name, before anything is created: an unknown version, a Rejected or unapproved one
 * without `force`, an endpoint that is missing, Failed, or already updating (never two rollouts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { retrainingNames } from '../workflow/names.ts';
import {
  EndpointNotReady,
  RolloutInProgress,
  RolloutTimeout,
  UnknownModelVersion,
  VersionNotApproved,
} from './errors.ts';
import { describeConfig, describeEndpoint, describeModel, servingOf } from './serving.ts';
import type {
  RegistryApis,
  RegistryScope,
  RegistryVersion,
  RolloutReport,
  RolloutRequest,
  Serving,
} from './types.ts';
import { listVersions, METADATA } from './versions.ts';

export const ROLLOUT_DEFAULTS = { canaryPercent: 10, bakeSeconds: 30, pollMs: 1_000, timeoutMs: 30 * 60_000 };

/** Statuses in which the endpoint is being changed: a rollout now would be a second one. */
const CHANGING = new Set([
  'Creating',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'Deleting',
  'UpdateRollbackFailed',
]);

/** The version `selector` names (a number, `v3`, or an ARN) among `versions`. */
export function findVersion(
  versions: readonly RegistryVersion[],
  selector: string,
  group: string,
): RegistryVersion {
  const trimmed = selector.trim();
  const number = /^v?(\d+)$/i.exec(trimmed)?.[1];
  const found = versions.find((version) =>
    number !== undefined ? version.version === Number(number) : version.arn === trimmed,
  );
  if (found) return found;
  const known = versions.map((version) => version.version).join(', ') || 'none';
  throw new UnknownModelVersion(
    `no version "${selector}" in the model package group ${group} (versions: ${known}); \`scones models\` lists them`,
  );
}

/** Refuses an endpoint that is missing, Failed or changing; returns what it serves. */
export async function readyEndpoint(
  apis: RegistryApis,
  scope: RegistryScope,
  versions: readonly RegistryVersion[],
): Promise<Serving> {
  const serving = await servingOf(apis.sagemaker, scope.endpointName, versions);
  if (serving.status === 'missing')
    throw new EndpointNotReady(
      `the endpoint ${scope.endpointName} does not exist: start the kit's endpoint first (\`scones up\` or \`scones demo\`)`,
    );
  if (CHANGING.has(serving.status)) {
    const endpoint = await describeEndpoint(apis.sagemaker, scope.endpointName);
    const pending = endpoint?.PendingDeploymentSummary?.EndpointConfigName;
    throw new RolloutInProgress(
      `a rollout is in progress: the endpoint ${scope.endpointName} is ${serving.status}` +
        `${pending ? ` (deploying ${pending})` : ''}; wait until it is InService (\`scones models\` shows it)`,
    );
  }
  if (serving.status !== 'InService')
    throw new EndpointNotReady(
      `the endpoint ${scope.endpointName} is ${serving.status}${serving.failure_reason ? `: ${serving.failure_reason}` : ''}; only an InService endpoint takes a rollout`,
    );
  return serving;
}

/** `<prefix>v<version>-<UTC time>` (or `original-`), at most 63 characters as SageMaker names are. */
function rolloutName(stage: string, what: string, now: Date): string {
  const time = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d+)Z$/, '$1');
  return `${retrainingNames(stage).rolloutNamePrefix}${what}-${time}`.slice(0, 63);
}

async function alarmIfExists(apis: RegistryApis, alarmName: string): Promise<string | null> {
  if (!apis.cloudwatch) return null;
  const answer = (await apis.cloudwatch.call('DescribeAlarms', { AlarmNames: [alarmName] })) as {
    MetricAlarms?: { AlarmName?: string }[];
  };
  return answer.MetricAlarms?.some((alarm) => alarm.AlarmName === alarmName) ? alarmName : null;
}

/** What a rollout deploys: a registry version's container, or an existing model (the original). */
export type RolloutTarget =
  | { kind: 'version'; version: RegistryVersion }
  | { kind: 'model'; model: string; model_data: string | null };

export interface RolloutContext {
  versions: RegistryVersion[];
  before: Serving;
  /** A rollback keeps the chain of what served before: it writes no `previous` on the version. */
  mode: 'rollout' | 'rollback';
}

/** Deploys `target` onto the endpoint serving `context.before` and waits for the outcome. */
export async function deploy(
  apis: RegistryApis,
  scope: RegistryScope,
  target: RolloutTarget,
  context: RolloutContext,
  request: Omit<RolloutRequest, 'version' | 'force'> = {},
): Promise<RolloutReport> {
  const started = Date.now();
  const { sagemaker } = apis;
  const { before } = context;
  const canaryPercent = request.canaryPercent ?? ROLLOUT_DEFAULTS.canaryPercent;
  const bakeSeconds = request.bakeSeconds ?? ROLLOUT_DEFAULTS.bakeSeconds;
  const progress = request.progress ?? (() => undefined);
  const described = {
    version: target.kind === 'version' ? target.version.version : null,
    arn: target.kind === 'version' ? target.version.arn : null,
    model_data: target.kind === 'version' ? target.version.model_data : target.model_data,
  };
  const report = (after: Serving, model: string, extra: Partial<RolloutReport>): RolloutReport => ({
    outcome: 'unchanged',
    target: { ...described, model },
    before,
    after,
    endpoint_config: null,
    alarm: null,
    canary_percent: canaryPercent,
    bake_seconds: bakeSeconds,
    duration_ms: Date.now() - started,
    ...extra,
  });
  if (described.model_data !== null && before.model_data === described.model_data)
    return report(before, before.model ?? '', { endpoint_config: before.endpoint_config });

  const servingConfig = await describeConfig(sagemaker, before.endpoint_config as string);
  const variant = servingConfig.ProductionVariants[0];
  const servingModel = before.model ? await describeModel(sagemaker, before.model) : undefined;
  const now = new Date();
  const what = target.kind === 'version' ? `v${target.version.version}` : 'original';
  const name = rolloutName(scope.stage, what, now);
  let model: string;
  if (target.kind === 'version') {
    const { version } = target;
    model = name;
    await sagemaker.call('CreateModel', {
      ModelName: model,
      PrimaryContainer: {
        Image: version.image ?? servingModel?.PrimaryContainer?.Image,
        ModelDataUrl: version.model_data,
      },
      ...(servingModel?.ExecutionRoleArn ? { ExecutionRoleArn: servingModel.ExecutionRoleArn } : {}),
    });
  } else {
    model = target.model;
  }
  await sagemaker.call('CreateEndpointConfig', {
    EndpointConfigName: name,
    ProductionVariants: [
      {
        VariantName: variant?.VariantName ?? 'AllTraffic',
        ModelName: model,
        InstanceType: variant?.InstanceType ?? 'ml.m5.large',
        InitialInstanceCount: variant?.InitialInstanceCount ?? 1,
      },
    ],
    ...(servingConfig.DataCaptureConfig ? { DataCaptureConfig: servingConfig.DataCaptureConfig } : {}),
  });
  const alarm = await alarmIfExists(apis, retrainingNames(scope.stage).rolloutAlarm);
  progress(
    `updating ${scope.endpointName} to ${name}: canary ${canaryPercent} %, baking ${bakeSeconds} s, ${alarm ? `rollback on ${alarm}` : 'no rollout alarm in CloudWatch'}`,
  );
  await sagemaker.call('UpdateEndpoint', {
    EndpointName: scope.endpointName,
    EndpointConfigName: name,
    DeploymentConfig: {
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          CanarySize: { Type: 'CAPACITY_PERCENT', Value: canaryPercent },
          WaitIntervalInSeconds: bakeSeconds,
        },
        TerminationWaitInSeconds: 0,
      },
      ...(alarm ? { AutoRollbackConfiguration: { Alarms: [{ AlarmName: alarm }] } } : {}),
    },
  });
  const settled = await waitUntilSettled(apis, scope.endpointName, request, progress);
  const after = await servingOf(sagemaker, scope.endpointName, context.versions);
  const promoted = settled.EndpointConfigName === name;
  if (promoted && target.kind === 'version') await stamp(apis, target.version, before, context.mode, now);
  return report(after, model, {
    outcome: promoted ? 'promoted' : 'rolled-back',
    endpoint_config: name,
    alarm,
    ...(!promoted && settled.FailureReason ? { failure_reason: settled.FailureReason } : {}),
  });
}

async function waitUntilSettled(
  apis: RegistryApis,
  endpointName: string,
  request: Pick<RolloutRequest, 'pollMs' | 'timeoutMs'>,
  progress: (message: string) => void,
) {
  const deadline = Date.now() + (request.timeoutMs ?? ROLLOUT_DEFAULTS.timeoutMs);
  let last = '';
  for (;;) {
    const endpoint = await describeEndpoint(apis.sagemaker, endpointName);
    if (!endpoint) throw new EndpointNotReady(`the endpoint ${endpointName} was deleted during the rollout`);
    if (endpoint.EndpointStatus === 'InService' || endpoint.EndpointStatus === 'Failed') return endpoint;
    if (endpoint.EndpointStatus !== last) progress(`${endpointName}: ${endpoint.EndpointStatus}`);
    last = endpoint.EndpointStatus;
    if (Date.now() > deadline)
      throw new RolloutTimeout(
        `${endpointName} is still ${endpoint.EndpointStatus} after ${Math.round((request.timeoutMs ?? ROLLOUT_DEFAULTS.timeoutMs) / 1000)} s; the update goes on (\`scones models\` shows it)`,
      );
    await sleep(request.pollMs ?? ROLLOUT_DEFAULTS.pollMs);
  }
}

/** Records on the promoted version when, and (for a rollout) what it replaced: rollback reads it. */
async function stamp(
  apis: RegistryApis,
  version: RegistryVersion,
  before: Serving,
  mode: RolloutContext['mode'],
  now: Date,
) {
  const chain =
    mode === 'rollout' && before.model
      ? {
          [METADATA.previousPackage]: before.version_arn ?? 'original',
          [METADATA.previousModel]: before.model,
        }
      : {};
  await apis.sagemaker.call('UpdateModelPackage', {
    ModelPackageArn: version.arn,
    CustomerMetadataProperties: { [METADATA.promotedAt]: now.toISOString(), ...chain },
  });
}

/** Refuses a version that is not Approved, unless forced. */
export function assertDeployable(version: RegistryVersion, force: boolean | undefined): void {
  if (version.status === 'Approved' || force) return;
  throw new VersionNotApproved(
    `version ${version.version} is ${version.status}${version.reason ? ` (${version.reason})` : ''}: pass --force to deploy it anyway`,
  );
}

/** `scones rollout`: the version `request.version` onto the stage's endpoint. */
export async function rollout(
  apis: RegistryApis,
  scope: RegistryScope,
  request: RolloutRequest,
): Promise<RolloutReport> {
  const group = retrainingNames(scope.stage).modelPackageGroup;
  const versions = (await listVersions(apis, group)) ?? [];
  const version = findVersion(versions, request.version, group);
  assertDeployable(version, request.force);
  const before = await readyEndpoint(apis, scope, versions);
  return deploy(apis, scope, { kind: 'version', version }, { versions, before, mode: 'rollout' }, request);
}
