/**
 * `scones rollback [<version>]`: with a version, a rollout of it that keeps the chain of what
 * served before; without one, back to what served before the current version:
 * 1. the version `scones rollout` recorded when it promoted the current one
 *    (`scones:previous-package`), walked back past versions that are no longer Approved;
 * 2. else (the current one came from a retraining) the newest Approved version older than it;
 * 3. else the kit's original model (the one `scones up` / `demo` deployed, not in the registry):
 *    the model recorded as `scones:previous-model`, or the newest of the endpoint's own models.
 * Refused when the original model serves already: there is nothing older.
 */
import { retrainingNames } from '../workflow/names.ts';
import { NothingToRollBackTo } from './errors.ts';
import { assertDeployable, deploy, findVersion, type RolloutTarget, readyEndpoint } from './rollout.ts';
import { describeModel } from './serving.ts';
import type {
  RegistryApis,
  RegistryScope,
  RegistryVersion,
  RolloutReport,
  RolloutRequest,
  Serving,
} from './types.ts';
import { listVersions, METADATA } from './versions.ts';

/** The newest model the kit's flows made for the endpoint (`<endpoint>-model-<10 hex>`, model-endpoint.ts). */
async function kitModel(apis: RegistryApis, endpointName: string): Promise<string | undefined> {
  const prefix = `${endpointName.slice(0, 63 - '-model-0123456789'.length).replace(/-+$/, '')}-model-`;
  let token: string | undefined;
  let newest: { name: string; time: number } | undefined;
  do {
    const page = (await apis.sagemaker.call('ListModels', {
      NameContains: prefix,
      MaxResults: 100,
      ...(token ? { NextToken: token } : {}),
    })) as { Models?: { ModelName: string; CreationTime?: unknown }[]; NextToken?: string };
    for (const model of page.Models ?? []) {
      if (!/-model-[0-9a-f]{10}$/.test(model.ModelName) || !model.ModelName.startsWith(prefix)) continue;
      const time = new Date(
        typeof model.CreationTime === 'number' ? model.CreationTime * 1000 : (model.CreationTime as string),
      ).getTime();
      if (!newest || time > newest.time) newest = { name: model.ModelName, time };
    }
    token = page.NextToken;
  } while (token);
  return newest?.name;
}

/** What served before `current` (see the module comment). */
export async function previousTarget(
  apis: RegistryApis,
  scope: RegistryScope,
  versions: readonly RegistryVersion[],
  current: Serving,
): Promise<RolloutTarget> {
  if (current.original)
    throw new NothingToRollBackTo(
      `the kit's original model (${current.model}) serves ${scope.endpointName}: there is nothing older to roll back to`,
    );
  const byArn = new Map(versions.map((version) => [version.arn, version]));
  let version = current.version_arn ? byArn.get(current.version_arn) : undefined;
  const seen = new Set<string>();
  let originalModel: string | undefined;
  // 1. The chain `scones rollout` recorded.
  while (version?.previous && !seen.has(version.arn)) {
    seen.add(version.arn);
    const previous: RegistryVersion | undefined = byArn.get(version.previous);
    if (version.previous === 'original' || !previous) {
      originalModel = (await previousModelOf(apis, version)) ?? originalModel;
      break;
    }
    if (previous.status === 'Approved') return { kind: 'version', version: previous };
    version = previous;
  }
  // 2. The newest Approved version older than the current one.
  const currentNumber = current.version ?? Number.POSITIVE_INFINITY;
  if (!originalModel) {
    const older = versions.filter(
      (candidate) =>
        candidate.status === 'Approved' &&
        candidate.version < currentNumber &&
        candidate.arn !== current.version_arn,
    );
    const newest = older.at(-1);
    if (newest) return { kind: 'version', version: newest };
  }
  // 3. The kit's original model.
  const model = originalModel ?? (await kitModel(apis, scope.endpointName));
  const described = model ? await describeModel(apis.sagemaker, model) : undefined;
  if (!model || !described)
    throw new NothingToRollBackTo(
      `no Approved version older than ${current.version === null ? 'what serves' : `version ${current.version}`} and no original model of ${scope.endpointName} to roll back to`,
    );
  return { kind: 'model', model, model_data: described.PrimaryContainer?.ModelDataUrl ?? null };
}

/** The model a version's promotion recorded as what served before it, if it still exists. */
async function previousModelOf(apis: RegistryApis, version: RegistryVersion): Promise<string | undefined> {
  const described = (await apis.sagemaker.call('DescribeModelPackage', {
    ModelPackageName: version.arn,
  })) as {
    CustomerMetadataProperties?: Record<string, string>;
  };
  const name = described.CustomerMetadataProperties?.[METADATA.previousModel];
  return name && (await describeModel(apis.sagemaker, name)) ? name : undefined;
}

/** `scones rollback`: `request.version` when given, else what served before the current version. */
export async function rollback(
  apis: RegistryApis,
  scope: RegistryScope,
  request: Omit<RolloutRequest, 'version'> & { version?: string },
): Promise<RolloutReport> {
  const group = retrainingNames(scope.stage).modelPackageGroup;
  const versions = (await listVersions(apis, group)) ?? [];
  const before = await readyEndpoint(apis, scope, versions);
  let target: RolloutTarget;
  if (request.version !== undefined) {
    const version = findVersion(versions, request.version, group);
    assertDeployable(version, request.force);
    target = { kind: 'version', version };
  } else {
    target = await previousTarget(apis, scope, versions, before);
  }
  return deploy(apis, scope, target, { versions, before, mode: 'rollback' }, request);
}
