/**
 * What a training job definition must satisfy before a job starts (CreateTrainingJob, and each
 * definition of CreateHyperParameterTuningJob): the image is the built-in image-classification
 * algorithm's, the channels are S3 prefixes in a format the local trainer reads, and objects exist
 * under each prefix (SageMaker checks that at create time too, with the message below).
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { algorithmImageRegion, unsupportedImageMessage } from '../algorithm/image-uris.ts';
import { arnOf } from '../arns.ts';
import { ResourceLimitExceeded, ValidationException } from '../errors.ts';
import type { ChannelRecord, Echo, ServiceContext, Tag, TrainingJobRecord } from '../types.ts';

export interface TrainingDefinition {
  AlgorithmSpecification: {
    TrainingImage?: string;
    AlgorithmName?: string;
    TrainingInputMode: string;
  } & Echo;
  RoleArn: string;
  InputDataConfig?: ChannelRecord[];
  OutputDataConfig: { S3OutputPath: string } & Echo;
  ResourceConfig: { InstanceType: string; InstanceCount: number; VolumeSizeInGB?: number } & Echo;
  StoppingCondition?: { MaxRuntimeInSeconds?: number } & Echo;
}

/** SageMaker's default StoppingCondition.MaxRuntimeInSeconds: one day. */
export const DEFAULT_MAX_RUNTIME_SECONDS = 86_400;

const IMAGE_CONTENT_TYPES = /^(application\/x-image|image\/(png|jpeg|jpg))$/i;

function s3Location(uri: string): { bucket: string; prefix: string } {
  const match = /^(?:s3|https):\/\/([^/]+)\/?(.*)$/.exec(uri) as RegExpExecArray;
  return { bucket: match[1] as string, prefix: match[2] as string };
}

async function hasObjects(context: ServiceContext, uri: string): Promise<boolean> {
  const { bucket, prefix } = s3Location(uri);
  try {
    const listed = await context.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }),
    );
    return (listed.KeyCount ?? listed.Contents?.length ?? 0) > 0;
  } catch {
    return false; // no bucket, or an S3 that does not answer: nothing found, as SageMaker says it
  }
}

/** Throws the ValidationException SageMaker (or the local limits) would answer `definition` with. */
export async function checkTrainingDefinition(
  context: ServiceContext,
  definition: TrainingDefinition,
): Promise<void> {
  const { TrainingImage, AlgorithmName } = definition.AlgorithmSpecification;
  if (AlgorithmName !== undefined) {
    throw new ValidationException(
      `AlgorithmName ${JSON.stringify(AlgorithmName)}: algorithm resources are not available in the local SageMaker; ` +
        'give AlgorithmSpecification.TrainingImage, the built-in image-classification image.',
    );
  }
  if (!TrainingImage)
    throw new ValidationException('Either TrainingImage or AlgorithmName must be specified.');
  if (!algorithmImageRegion(TrainingImage))
    throw new ValidationException(unsupportedImageMessage('TrainingImage', TrainingImage, context.region));
  const channels = definition.InputDataConfig ?? [];
  const names = new Set<string>();
  for (const channel of channels) {
    if (names.has(channel.ChannelName))
      throw new ValidationException(`Channel names must be unique; ${channel.ChannelName} is given twice.`);
    names.add(channel.ChannelName);
    const source = channel.DataSource.S3DataSource;
    if (!source) {
      throw new ValidationException(
        `Channel ${channel.ChannelName}: the local SageMaker reads channels from S3 (DataSource.S3DataSource); ` +
          'file system and dataset sources are not available.',
      );
    }
    if (source.S3DataType !== 'S3Prefix') {
      throw new ValidationException(
        `Channel ${channel.ChannelName}: S3DataType ${source.S3DataType} is not read by the local SageMaker; ` +
          "it reads S3Prefix channels of images with .lst files (the algorithm's image format).",
      );
    }
    if (channel.ContentType !== undefined && !IMAGE_CONTENT_TYPES.test(channel.ContentType)) {
      throw new ValidationException(
        `Channel ${channel.ChannelName}: ContentType ${channel.ContentType} is not read by the local SageMaker; ` +
          'it reads the image format: application/x-image channels with .lst files (no RecordIO).',
      );
    }
  }
  for (const channel of channels) {
    const uri = channel.DataSource.S3DataSource?.S3Uri as string;
    if (!(await hasObjects(context, uri))) {
      throw new ValidationException(
        `No S3 objects found under S3 URL "${uri}" given in input data source. Please ensure that the bucket ` +
          `exists in the selected region (${context.region}), that objects exist under that S3 prefix, and that ` +
          `the role "${definition.RoleArn}" has "s3:ListBucket" permissions on bucket "${s3Location(uri).bucket}".`,
      );
    }
  }
}

/** The quota error of one training more than this machine runs at once. */
export function checkTrainingCapacity(active: number, limit: number, more = 1): void {
  if (active + more <= limit) return;
  throw new ResourceLimitExceeded(
    `The account-level service limit 'concurrent training jobs on this machine' is ${limit} Instances, with ` +
      `current utilization of ${active} Instances and a request delta of ${more} Instances. The local ` +
      'SageMaker runs one training per core (os.availableParallelism()); wait for a training to end or stop one.',
  );
}

export function newTrainingJobRecord(
  context: ServiceContext,
  name: string,
  definition: TrainingDefinition,
  extra: { hyperParameters: Record<string, string>; tags: Tag[]; echo: Echo; tuningJobArn?: string },
): TrainingJobRecord {
  const now = context.seconds();
  const { AlgorithmSpecification, OutputDataConfig, ResourceConfig, StoppingCondition } = definition;
  return {
    TrainingJobName: name,
    TrainingJobArn: arnOf(context.region, 'training-job', name),
    ...(extra.tuningJobArn ? { TuningJobArn: extra.tuningJobArn } : {}),
    AlgorithmSpecification: {
      ...AlgorithmSpecification,
      TrainingImage: AlgorithmSpecification.TrainingImage as string,
    },
    RoleArn: definition.RoleArn,
    HyperParameters: extra.hyperParameters,
    // What DescribeTrainingJob shows when the request left them out, as SageMaker fills them in:
    // the SageMaker Python SDK's Estimator.attach reads OutputDataConfig.KmsKeyId unguarded.
    InputDataConfig: (definition.InputDataConfig ?? []).map((channel) => ({
      CompressionType: 'None',
      RecordWrapperType: 'None',
      ...channel,
    })),
    OutputDataConfig: { KmsKeyId: '', ...OutputDataConfig },
    ResourceConfig: { ...ResourceConfig, VolumeSizeInGB: ResourceConfig.VolumeSizeInGB ?? 30 },
    StoppingCondition: {
      ...StoppingCondition,
      MaxRuntimeInSeconds: StoppingCondition?.MaxRuntimeInSeconds ?? DEFAULT_MAX_RUNTIME_SECONDS,
    },
    TrainingJobStatus: 'InProgress',
    SecondaryStatus: 'Starting',
    CreationTime: now,
    LastModifiedTime: now,
    SecondaryStatusTransitions: [
      { Status: 'Starting', StartTime: now, StatusMessage: 'Preparing the instances for training' },
    ],
    FinalMetricDataList: [],
    Echo: {
      EnableNetworkIsolation: false,
      EnableInterContainerTrafficEncryption: false,
      EnableManagedSpotTraining: false,
      ...extra.echo,
    },
    Tags: extra.tags,
  };
}
