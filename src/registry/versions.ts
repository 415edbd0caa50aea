/**
 * The versions of the stage's model package group (`scones-<stage>-image-classifier`), every page
 * of ListModelPackages, each described (DescribeModelPackage: its container, metadata and
 * ModelMetrics) and its metrics read from the evaluation report the retraining's
 * RegisterCandidate state points ModelMetrics.ModelQuality.Statistics at.
 */
import { retrainingNames } from '../workflow/names.ts';
import type { EvaluationReport } from '../workflow/retraining-types.ts';
import { isoTime } from './sdk-api.ts';
import { servingOf } from './serving.ts';
import type {
  RegistryApis,
  RegistryListing,
  RegistryScope,
  RegistryVersion,
  SageMakerApi,
  VersionMetrics,
} from './types.ts';

/** CustomerMetadataProperties `scones rollout` writes on the version it promoted. */
export const METADATA = {
  promotedAt: 'scones:promoted-at',
  /** The version it replaced (its ARN), or `original` for the kit's own model. */
  previousPackage: 'scones:previous-package',
  /** The SageMaker model that served before it (what a rollback to the original model deploys). */
  previousModel: 'scones:previous-model',
} as const;

interface DescribedPackage {
  ModelPackageArn: string;
  ModelPackageVersion?: number;
  ModelApprovalStatus?: string;
  ModelPackageDescription?: string;
  CreationTime?: unknown;
  InferenceSpecification?: { Containers?: { Image?: string; ModelDataUrl?: string }[] };
  ModelMetrics?: { ModelQuality?: { Statistics?: { S3Uri?: string } } };
  CustomerMetadataProperties?: Record<string, string>;
}

/** Every ARN of the group's versions, oldest first, across ListModelPackages pages. */
async function versionArns(sagemaker: SageMakerApi, group: string): Promise<string[] | undefined> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    let page: { ModelPackageSummaryList?: { ModelPackageArn: string }[]; NextToken?: string };
    try {
      page = (await sagemaker.call('ListModelPackages', {
        ModelPackageGroupName: group,
        ModelPackageType: 'Versioned',
        SortBy: 'CreationTime',
        SortOrder: 'Ascending',
        MaxResults: 100,
        ...(token ? { NextToken: token } : {}),
      })) as typeof page;
    } catch (error) {
      // SageMaker answers a missing group with a ValidationException naming it.
      if ((error as { name?: string }).name === 'ValidationException' && arns.length === 0) return undefined;
      throw error;
    }
    for (const summary of page.ModelPackageSummaryList ?? []) arns.push(summary.ModelPackageArn);
    token = page.NextToken;
  } while (token);
  return arns;
}

async function groupExists(sagemaker: SageMakerApi, group: string): Promise<boolean> {
  try {
    await sagemaker.call('DescribeModelPackageGroup', { ModelPackageGroupName: group });
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ValidationException') return false;
    throw error;
  }
}

const accuracyOf = (figures: EvaluationReport['candidate'] | null | undefined) =>
  figures
    ? {
        all: figures.all?.accuracy ?? null,
        clean: figures.clean?.accuracy ?? null,
        reviewed: figures.reviewed?.accuracy ?? null,
      }
    : null;

/** The figures of the report at `uri`, or why there are none. */
async function metricsOf(
  uri: string | undefined,
  readText: RegistryApis['readText'],
): Promise<{ metrics: VersionMetrics | null; note?: string }> {
  if (!uri) return { metrics: null, note: 'no ModelMetrics' };
  if (!readText) return { metrics: null, note: `report not read: ${uri}` };
  let text: string | undefined;
  try {
    text = await readText(uri);
  } catch (error) {
    return { metrics: null, note: `report unreadable (${(error as Error).name}): ${uri}` };
  }
  if (text === undefined) return { metrics: null, note: `report missing: ${uri}` };
  try {
    const report = JSON.parse(text) as EvaluationReport;
    return {
      metrics: {
        source: uri,
        accuracy: accuracyOf(report.candidate) ?? { all: null, clean: null, reviewed: null },
        current_accuracy: accuracyOf(report.current),
        clean_drop: report.clean_drop ?? null,
        reviewed_gain: report.delta?.reviewed ?? null,
      },
    };
  } catch {
    return { metrics: null, note: `report is not JSON: ${uri}` };
  }
}

function versionOf(
  described: DescribedPackage,
  metrics: Awaited<ReturnType<typeof metricsOf>>,
): RegistryVersion {
  const container = described.InferenceSpecification?.Containers?.[0];
  const metadata = described.CustomerMetadataProperties ?? {};
  const previous = metadata[METADATA.previousPackage];
  return {
    version: described.ModelPackageVersion ?? Number(described.ModelPackageArn.split('/').pop()),
    arn: described.ModelPackageArn,
    status: described.ModelApprovalStatus ?? 'PendingManualApproval',
    reason: described.ModelPackageDescription ?? metadata.reason ?? null,
    created: isoTime(described.CreationTime) ?? '',
    model_data: container?.ModelDataUrl ?? null,
    image: container?.Image ?? null,
    training_job: metadata.training_job ?? null,
    metrics: metrics.metrics,
    ...(metrics.note ? { metrics_note: metrics.note } : {}),
    serving: false,
    ...(previous ? { previous } : {}),
  };
}

/** The group's versions, oldest first, described (metrics read with `apis.readText`). */
export async function listVersions(
  apis: RegistryApis,
  group: string,
): Promise<RegistryVersion[] | undefined> {
  const arns = await versionArns(apis.sagemaker, group);
  if (!arns) return undefined;
  const versions: RegistryVersion[] = [];
  for (const arn of arns) {
    const described = (await apis.sagemaker.call('DescribeModelPackage', {
      ModelPackageName: arn,
    })) as DescribedPackage;
    versions.push(
      versionOf(
        described,
        await metricsOf(described.ModelMetrics?.ModelQuality?.Statistics?.S3Uri, apis.readText),
      ),
    );
  }
  return versions.sort((a, b) => a.version - b.version);
}

/** The registry of the stage and what its endpoint serves (`scones models`). */
export async function describeRegistry(apis: RegistryApis, scope: RegistryScope): Promise<RegistryListing> {
  const group = retrainingNames(scope.stage).modelPackageGroup;
  const listed = (await groupExists(apis.sagemaker, group)) ? await listVersions(apis, group) : undefined;
  const versions = listed ?? [];
  const serving = await servingOf(apis.sagemaker, scope.endpointName, versions);
  for (const version of versions) version.serving = version.arn === serving.version_arn;
  return { group, group_exists: listed !== undefined, versions, serving };
}
