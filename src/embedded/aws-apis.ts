/**
 * The AWS APIs a running stack (`scones up`) serves on its port beside S3, Step Functions and the
 * SageMaker runtime: the SageMaker control plane, whose trainings run on the kit's trainer, log to
 * CloudWatch Logs (`/aws/sagemaker/TrainingJobs`, as SageMaker does) and whose endpoints the
 * runtime's fleet serves; CloudWatch Logs, where the Lambdas' JSON lines go too
 * (`/aws/lambda/<function>`, as Lambda ships them); CloudWatch metrics and alarms (the endpoints'
 * AWS/SageMaker metrics, and those of the Lambdas' EMF lines); STS. State lives
 * under `<dataDir>/sagemaker`, `<dataDir>/cloudwatch-logs` and `<dataDir>/cloudwatch`
 * (`<dataDir>/logs` holds the run logs). The services' modules load
 * only here, so runs without a stack never pay for them; the model code (tfjs, ONNX Runtime) loads in
 * the background a moment after the stack started, so the first CreateEndpoint does not wait for it.
 */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudWatchService } from './cloudwatch/index.ts';
import { lambdaLogShipper, type RunLog } from './functions/index.ts';
import type { Route } from './gateway/index.ts';
import type { AlarmState, SageMakerService, SageMakerServiceOptions } from './sagemaker/index.ts';
import {
  type EndpointFleet,
  EndpointMetrics,
  type LoadedPredictor,
  SAGEMAKER_METRICS_NAMESPACE,
} from './sagemaker-runtime/index.ts';

export interface AwsApisOptions {
  dataDir: string;
  /** The local S3: channels, artifacts, captured data. */
  s3: S3Client;
  /** Serves the endpoints the API deploys (InvokeEndpoint finds them by name). */
  fleet: EndpointFleet;
  region: string;
  /** The functions' JSON lines: they go to CloudWatch Logs too, under `/aws/lambda/<function>`. */
  functionLines?: Pick<RunLog, 'onLines' | 'flush'>;
}

export interface AwsApis {
  /** One gateway route per service. */
  routes: Route[];
  /** The SageMaker control plane the route serves, for the kit's own calls (its workflow endpoint). */
  sagemaker: SageMakerService;
  /** The CloudWatch metrics and alarms the route serves (`onStateChange` for the alarms' listeners). */
  cloudwatch: CloudWatchService;
  /** Stops the trainings in flight and writes every service's state. */
  close(): Promise<void>;
}

/** SageMaker's log group of training jobs. */
export const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';

/**
 * When the model code starts loading in the background: after `scones up` printed its exports (its
 * start-to-exports time stays as it was), long before anyone has trained and called CreateEndpoint.
 */
const PRELOAD_MODEL_CODE_AFTER_MS = 1_000;

/**
 * The SageMaker control plane alone, without HTTP: what a run without a stack (`scones demo`,
 * `classify`, `load`) deploys its workflow endpoint through. Same state as the stack's.
 */
export async function startLocalSageMaker(
  options: AwsApisOptions & Pick<SageMakerServiceOptions, 'onTrainingLog' | 'alarmStates'>,
): Promise<SageMakerService> {
  const { createLocalTrainingRunner, createSageMakerService } = await import('./sagemaker/index.ts');
  return createSageMakerService({
    dataDir: path.join(options.dataDir, 'sagemaker'),
    s3: options.s3,
    region: options.region,
    runner: createLocalTrainingRunner({ s3: options.s3 }),
    hosting: options.fleet,
    ...(options.onTrainingLog ? { onTrainingLog: options.onTrainingLog } : {}),
    ...(options.alarmStates ? { alarmStates: options.alarmStates } : {}),
  });
}

/** How often the endpoints' summed metrics go to CloudWatch. */
const ENDPOINT_METRICS_EVERY_MS = 1_000;

/** Sends the fleet's invocations to CloudWatch as SageMaker's endpoint metrics; returns a stop. */
function publishEndpointMetrics(fleet: EndpointFleet, cloudwatch: CloudWatchService): () => void {
  const metrics = new EndpointMetrics();
  const unsubscribe = fleet.onInvocation((record) => metrics.record(record));
  const publish = () => {
    const datums = metrics.drain();
    if (datums.length > 0) cloudwatch.ingest(SAGEMAKER_METRICS_NAMESPACE, datums);
  };
  const timer = setInterval(publish, ENDPOINT_METRICS_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    unsubscribe();
    publish();
  };
}

/**
 * The metrics of the EMF documents among a log group's events, put in CloudWatch as CloudWatch Logs
 * extracts them; an invalid document stays a log line, is counted in `AWS/Logs`
 * `EMFValidationErrors` (by `LogGroupName`, as on AWS) and its reason reported once per group.
 */
function emfExtractor(cloudwatch: CloudWatchService) {
  const reported = new Set<string>();
  return (group: string, events: readonly { message: string }[]): void => {
    let invalid = 0;
    for (const event of events) {
      const result = cloudwatch.ingestEmf(event.message);
      if (result.kind !== 'invalid') continue;
      invalid++;
      if (!reported.has(group))
        console.error(`CloudWatch Logs: an EMF document in ${group} gives no metrics: ${result.reason}`);
      reported.add(group);
    }
    if (invalid > 0)
      cloudwatch.ingest('AWS/Logs', [
        {
          MetricName: 'EMFValidationErrors',
          Dimensions: [{ Name: 'LogGroupName', Value: group }],
          Value: invalid,
          Unit: 'Count',
          Timestamp: new Date(),
        },
      ]);
  };
}

/**
 * The states of the named alarms, from the local CloudWatch: what a blue/green UpdateEndpoint's
 * AutoRollbackConfiguration watches while it bakes (an alarm CloudWatch does not know is left out,
 * as the SageMaker service expects).
 */
function alarmStatesOf(cloudwatch: CloudWatchService): SageMakerServiceOptions['alarmStates'] {
  return async (names) => {
    const states: Record<string, AlarmState> = {};
    // DescribeAlarms takes at most 100 names per call.
    for (let start = 0; start < names.length; start += 100) {
      let token: string | undefined;
      do {
        const page = (await cloudwatch.call('DescribeAlarms', {
          AlarmNames: names.slice(start, start + 100),
          ...(token ? { NextToken: token } : {}),
        })) as { MetricAlarms?: { AlarmName: string; StateValue: AlarmState }[]; NextToken?: string };
        for (const alarm of page.MetricAlarms ?? []) states[alarm.AlarmName] = alarm.StateValue;
        token = page.NextToken;
      } while (token);
    }
    return states;
  };
}

export async function startAwsApis(options: AwsApisOptions): Promise<AwsApis> {
  const [{ sagemakerRoute }, logsModule, stsModule, cloudwatchModule] = await Promise.all([
    import('./sagemaker/index.ts'),
    import('./logs/index.ts'),
    import('./sts/index.ts'),
    import('./cloudwatch/index.ts'),
  ]);
  const cloudwatch = await cloudwatchModule.createCloudWatchService({
    dataDir: path.join(options.dataDir, 'cloudwatch'),
    region: options.region,
  });
  const logs = await logsModule.createLogsService({
    dataDir: path.join(options.dataDir, 'cloudwatch-logs'),
    region: options.region,
  });
  const sagemaker = await startLocalSageMaker({
    ...options,
    alarmStates: alarmStatesOf(cloudwatch),
    onTrainingLog: (event) =>
      logs.ingest(TRAINING_LOG_GROUP, event.logStreamName, [
        { timestamp: event.timestamp, message: event.message },
      ]),
  });
  // As SageMaker publishes its endpoints' metrics (AWS/SageMaker), summed each second: what the
  // alarms of a blue/green rollout's AutoRollbackConfiguration watch.
  const stopMetrics = publishEndpointMetrics(options.fleet, cloudwatch);
  // As Lambda ships its functions' output: each function's lines to its own group, where CloudWatch
  // Logs extracts the metrics of their EMF documents.
  const extractMetrics = emfExtractor(cloudwatch);
  const stopShipping = options.functionLines?.onLines(
    lambdaLogShipper((group, stream, events) => {
      logs.ingest(group, stream, events);
      extractMetrics(group, events);
    }),
  );
  // The model code loads then once per process; a CreateEndpoint before that waits for the same load.
  const preload = setTimeout(() => void modelCode().catch(() => undefined), PRELOAD_MODEL_CODE_AFTER_MS);
  preload.unref();
  return {
    routes: [
      sagemakerRoute(sagemaker),
      logsModule.logsRoute(logs),
      stsModule.stsRoute(stsModule.createStsService()),
      cloudwatchModule.cloudWatchRoute(cloudwatch),
    ],
    sagemaker,
    cloudwatch,
    async close() {
      clearTimeout(preload);
      stopMetrics();
      // The lines still queued in the run log go in before the store closes.
      options.functionLines?.flush();
      stopShipping?.();
      await sagemaker.close();
      await logs.close();
      await cloudwatch.close();
    },
  };
}

let modelCodeLoaded: Promise<typeof import('../../training/predictor.ts')> | undefined;

/**
 * The kit's predictor with its modules ready: tfjs and its wasm backend, ONNX Runtime (~0.6 s of
 * imports and compiling, the bulk of a first CreateEndpoint's time when paid on demand).
 */
function modelCode(): Promise<typeof import('../../training/predictor.ts')> {
  modelCodeLoaded ??= (async () => {
    const predictor = await import('../../training/predictor.ts');
    await (await import('../../training/backend.ts')).useWasmBackend();
    return predictor;
  })().catch((error: unknown) => {
    modelCodeLoaded = undefined;
    throw error;
  });
  return modelCodeLoaded;
}

/** The kit's predictor for a `model.tar.gz` (as `scones serve` loads it). */
export async function loadArtifactModel(modelDataUrl: string, s3: S3Client): Promise<LoadedPredictor> {
  const { ModelPredictor } = await modelCode();
  return ModelPredictor.load(modelDataUrl, { s3Client: s3 });
}
