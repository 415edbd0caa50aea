/**
 * `createSageMakerService(options)`: the local SageMaker control plane, without HTTP. It loads the
 * state under `options.dataDir` (a training that was running when the process stopped ends
 * Failed, saying so; endpoints that were served are deployed again before this resolves) and
 * answers `call(action, input)` with the JSON response of the SageMaker API, or throws a
 * SageMakerServiceError that the gateway writes as the JSON 1.1 error envelope.
 *
 *   const sagemaker = await createSageMakerService({ dataDir, s3, runner, hosting });
 *   await sagemaker.call('CreateModel', { ModelName: 'm', PrimaryContainer: { Image, ModelDataUrl } });
 */
import { availableParallelism } from 'node:os';
import { operationTable } from '../shared/index.ts';
import {
  InternalFailure,
  SageMakerServiceError,
  SerializationException,
  UnknownOperationException,
} from './errors.ts';
import { EndpointDeployer } from './jobs/endpoint-deployer.ts';
import { TrainingExecutor } from './jobs/training-executor.ts';
import { TuningExecutor } from './jobs/tuning-executor.ts';
import { modelPackageKey } from './model-package-lookup.ts';
import { endpointConfigOperations } from './operations/endpoint-configs.ts';
import { endpointOperations } from './operations/endpoints.ts';
import { modelPackageGroupOperations } from './operations/model-package-groups.ts';
import { modelPackageOperations } from './operations/model-packages.ts';
import { modelOperations } from './operations/models.ts';
import { tagOperations } from './operations/tags.ts';
import { trainingJobOperations } from './operations/training-jobs.ts';
import { tuningJobOperations } from './operations/tuning-jobs.ts';
import { Table } from './store.ts';
import type {
  Operation,
  SageMakerService,
  SageMakerServiceOptions,
  ServiceContext,
  StateTables,
} from './types.ts';

function openTables(dataDir: string): StateTables {
  return {
    trainingJobs: new Table(dataDir, 'training-jobs', (row) => row.TrainingJobName),
    tuningJobs: new Table(dataDir, 'tuning-jobs', (row) => row.HyperParameterTuningJobName),
    models: new Table(dataDir, 'models', (row) => row.ModelName),
    endpointConfigs: new Table(dataDir, 'endpoint-configs', (row) => row.EndpointConfigName),
    endpoints: new Table(dataDir, 'endpoints', (row) => row.EndpointName),
    modelPackageGroups: new Table(dataDir, 'model-package-groups', (row) => row.ModelPackageGroupName),
    modelPackages: new Table(dataDir, 'model-packages', modelPackageKey),
  };
}

export async function createSageMakerService(options: SageMakerServiceOptions): Promise<SageMakerService> {
  const now = options.now ?? Date.now;
  const tables = openTables(options.dataDir);
  const context: ServiceContext = {
    region: options.region ?? 'us-east-1',
    seconds: () => now() / 1000,
    s3: options.s3,
    tables,
  };
  const cores = availableParallelism();
  const maxConcurrent = options.maxConcurrentTrainingJobs ?? cores;
  const training = new TrainingExecutor(context, {
    runner: options.runner,
    ...(options.onTrainingLog ? { onLog: options.onTrainingLog } : {}),
  });
  const tuning = new TuningExecutor(context, training, { cores, maxConcurrent });
  training.failInterrupted();
  tuning.failInterrupted();
  const deployer = new EndpointDeployer(context, options.hosting, {
    // No CloudWatch given: no alarm is known, so none is in ALARM (an unknown alarm is OK).
    alarmStates: options.alarmStates ?? (async () => ({})),
    pollMs: options.alarmPollIntervalMs ?? 1000,
  });
  deployer.restore();
  await deployer.settledAll();

  const operations: Record<string, Operation> = {
    ...trainingJobOperations(context, training, {
      maxConcurrent,
      // A lone training takes every core; one beside others shares them.
      cores: () => Math.max(1, Math.floor(cores / (training.active + 1))),
    }),
    ...tuningJobOperations(context, tuning),
    ...modelOperations(context),
    ...endpointConfigOperations(context),
    ...endpointOperations(context, deployer),
    ...modelPackageGroupOperations(context),
    ...modelPackageOperations(context),
    ...tagOperations(context),
  };
  const flush = async () => {
    await Promise.all(Object.values(tables).map((table) => table.flush()));
  };

  return {
    ...operationTable(operations, {
      unknownOperation: (name) => new UnknownOperationException(name),
      notAnObject: (name) => new SerializationException(`The request body of ${name} must be a JSON object.`),
      isServiceError: (error) => error instanceof SageMakerServiceError,
      internal: (name, error) =>
        new InternalFailure(`${name} failed in the local SageMaker: ${(error as Error).message}`),
    }),
    flush,
    async close() {
      await tuning.close();
      await training.close();
      await deployer.close();
      await flush();
    },
  };
}
