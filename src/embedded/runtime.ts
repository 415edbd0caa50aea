/**
 * The embedded tier in one call: a local S3, the SageMaker runtime over a fleet of endpoints (the
 * workflow's: the stub, a trained model deployed through the SageMaker API, or none yet;
 * workflow-endpoint.ts), the three real Lambda handlers wired through the config module, and the
 * ASL run in-process. Used by the CLI, the tests and the benchmarks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ENDPOINT_CLIENT_OPTIONS } from '../../lambdas/classify-image/handler.ts';
import { createS3Client, createSageMakerRuntimeClient } from '../aws/clients.ts';
import { parseS3Uri } from '../aws/s3-uri.ts';
import { endpointEnvironment, type KitConfig, loadConfig } from '../config.ts';
import {
  BATCH_RESULTS_PREFIX,
  DEFAULT_CAPTURE_PREFIX,
  DEFINITION_PATHS,
  GROUND_TRUTH_PREFIX,
  intakeSubstitutionsFor,
  RETRAINING_PREFIX,
  renderDefinition,
} from '../workflow/definition.ts';
import { ensureMetricAlarm } from '../workflow/metric-alarm.ts';
import type { ModelEndpoint } from '../workflow/model-endpoint.ts';
import { eventResourceNames } from '../workflow/names.ts';
import { ensureReviewedLabelsAlarm, reviewedLabelsSettings } from '../workflow/reviewed-labels.ts';
import { rolloutAlarmRequest } from '../workflow/rollout-alarm.ts';
import { type AlarmRouting, routeAlarmChanges } from './alarm-actions.ts';
import { type AwsApis, loadArtifactModel, startAwsApis, startLocalSageMaker } from './aws-apis.ts';
import { type EmbeddedTrigger, NotificationSink, startEmbeddedTrigger } from './events/index.ts';
import { openRunLog, type PlacedFunctions, placeFunctions, type RunLog } from './functions/index.ts';
import { stackRoutes, startS3For } from './ports.ts';
import type { SageMakerService } from './sagemaker/index.ts';
import { EndpointFleet, type EndpointServer, startEndpointServer } from './sagemaker-runtime/index.ts';
import { DEFAULT_DATA_DIR } from './shared/index.ts';
import {
  createBatchEngine,
  createEngine,
  createIntakeEngine,
  createRetrainingEngine,
  currentEngine,
  type EmbeddedEngine,
  ExecutionRegistry,
  hostableModules,
  REPO_WORKFLOW_CODE,
  registeredStateMachines,
  StateMachineRegistry,
  stateMachineFactory,
  stateMachineRoles,
  type WorkflowCode,
} from './stepfunctions/index.ts';
import type {
  EmbeddedRuntime,
  EmbeddedRuntimeOptions,
  PredictorFactory,
  WorkflowEndpoint,
  WorkflowEndpointFactory,
} from './types.ts';
import { localSageMakerRole, serveWorkflowEndpoint, workflowEndpointOf } from './workflow-endpoint.ts';

export type {
  EmbeddedRuntime,
  EmbeddedRuntimeOptions,
  PredictorFactory,
  WorkflowEndpoint,
  WorkflowEndpointFactory,
};
export { DEFAULT_DATA_DIR, REPO_WORKFLOW_CODE, type WorkflowCode };

export async function startEmbeddedRuntime(options: EmbeddedRuntimeOptions = {}): Promise<EmbeddedRuntime> {
  const baseConfig = loadConfig({ SCONES_TARGET: 'embedded', ...options.env });
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  // One registry for every version of the code (swapWorkflow), journaled in event-driven mode.
  const executions = options.trigger
    ? new ExecutionRegistry({ journal: path.join(dataDir, 'executions', 'index.jsonl') })
    : new ExecutionRegistry();
  await executions.load();
  // While stop() drains, a running stack refuses new uploads under the intake prefix (ports.ts).
  let draining = false;
  const intakePrefix =
    (typeof options.trigger === 'object' ? options.trigger.intakePrefix : undefined) ??
    baseConfig.intakePrefix;
  const { localS3, gateway } = await startS3For(
    options,
    baseConfig.bucket,
    (bucket, key) => draining && bucket === baseConfig.bucket && key.startsWith(intakePrefix),
  );
  const s3Config = loadConfig({
    SCONES_TARGET: 'embedded',
    ...options.env,
    ...endpointEnvironment({ s3: localS3.endpoint }),
  });
  const s3 = createS3Client(s3Config);
  // Every endpoint of the tier lives here: the workflow's, and those its SageMaker API deploys.
  const fleet = new EndpointFleet({
    loadModel: (uri) => loadArtifactModel(uri, s3),
    s3,
    region: baseConfig.region,
    ...(options.capture?.flushIntervalMs === undefined
      ? {}
      : { captureFlushIntervalMs: options.capture.flushIntervalMs }),
  });
  let endpoint: EndpointServer;
  let choice: WorkflowEndpoint | undefined;
  try {
    choice = await workflowEndpointOf(options, s3, s3Config);
    endpoint = await startEndpointServer({
      ...(choice && 'predictor' in choice ? { predictor: choice.predictor } : {}),
      endpointName: baseConfig.endpointName,
      ...(options.capture && choice && 'predictor' in choice ? { capture: { s3, ...options.capture } } : {}),
      hosted: fleet,
      modelFaults: fleet.faults,
    });
  } catch (error) {
    s3.destroy();
    await localS3.stop();
    throw error;
  }
  const configEnv = {
    SCONES_TARGET: 'embedded',
    ...options.env,
    ...endpointEnvironment({
      s3: localS3.endpoint,
      sagemakerRuntime: endpoint.url,
      ...(options.stepFunctionsApi ? { sfn: localS3.endpoint } : {}),
    }),
  };
  const config = loadConfig(configEnv);
  let runLog: RunLog;
  try {
    runLog = await openRunLog(options.dataDir ?? DEFAULT_DATA_DIR, {
      ...(options.verbose ? { echo: process.stderr } : {}),
      ...(options.runId ? { runId: options.runId } : {}),
    });
  } catch (error) {
    await endpoint.stop();
    await localS3.stop();
    s3.destroy();
    throw error;
  }
  // Powertools settings (POWERTOOLS_LOG_LEVEL, ...) as a Lambda would see them in its environment.
  const telemetry = { sink: runLog.write, env: { ...process.env, ...options.env } };
  const threadedCode = options.workflow ?? REPO_WORKFLOW_CODE;
  let placed: PlacedFunctions;
  try {
    placed = await placeFunctions({
      modules: hostableModules(threadedCode),
      localS3,
      configEnv,
      telemetryEnv: telemetry.env,
      sink: runLog.write,
    });
  } catch (error) {
    await endpoint.stop();
    await localS3.stop();
    s3.destroy();
    await runLog.close();
    throw error;
  }
  const sagemakerRuntime = createSageMakerRuntimeClient(config, ENDPOINT_CLIENT_OPTIONS);
  // Every version registers under the same ARN (the newest is started), beside the intake.
  const stateMachines = new StateMachineRegistry();
  let apis: AwsApis | undefined;
  let localSageMaker: Promise<SageMakerService> | undefined;
  // The tier's SageMaker control plane: the stack's, or (without a stack) one started on first use.
  const sagemaker = (): Promise<SageMakerService> => {
    if (apis) return Promise.resolve(apis.sagemaker);
    localSageMaker ??= startLocalSageMaker({ dataDir, s3, fleet, region: config.region });
    return localSageMaker;
  };
  // What the engines' SageMaker Tasks call (integrations/sagemaker.ts).
  const sagemakerTasks = {
    // Known once the stack's control plane runs: CreateStateMachine then refuses an action it lacks.
    get actions() {
      return apis?.sagemaker.actions;
    },
    call: async (action: string, input: unknown) => (await sagemaker()).call(action, input),
  };
  const build = (code: WorkflowCode) =>
    createEngine(
      config,
      { s3, sagemakerRuntime, sagemaker: sagemakerTasks },
      telemetry,
      code,
      options.retryDelayMs,
      executions,
      stateMachines,
      code === threadedCode ? placed.handlers : undefined,
    );
  /** The definitions the Step Functions API describes, by state machine ARN. */
  const definitions = new Map<string, string>();
  // The intake's executions outlive the versions of its code, as the classification's do.
  const intakeExecutions = new ExecutionRegistry();
  // Each version of the code gets its intake too (its ASL is watched); the trigger starts it by ARN.
  const buildIntake = (code: WorkflowCode, classification: EmbeddedEngine) => {
    const template =
      code.definitions?.[path.basename(DEFINITION_PATHS.intake)] ??
      readFileSync(DEFINITION_PATHS.intake, 'utf8');
    const built = createIntakeEngine(classification, {
      stage: config.stage,
      s3,
      template,
      executions: intakeExecutions,
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    });
    const substitutions = intakeSubstitutionsFor({
      classificationStateMachineArn: classification.stateMachineArn,
    });
    definitions.set(built.stateMachineArn, renderDefinition(substitutions, template));
    return built;
  };
  const initialCode = options.workflow ?? REPO_WORKFLOW_CODE;
  let current = build(initialCode);
  definitions.set(current.engine.stateMachineArn, current.definition);
  const engine = currentEngine(() => current.engine);
  let intake = options.trigger ? buildIntake(initialCode, current.engine) : undefined;
  let trigger: EmbeddedTrigger | undefined;
  let ownNotifications: NotificationSink | undefined;
  const notificationsOf = (): NotificationSink => {
    if (trigger) return trigger.notifications;
    ownNotifications ??= new NotificationSink({ directory: path.join(dataDir, 'notifications') });
    return ownNotifications;
  };
  const topics = {
    publish: (topicArn: string, message: string, subject?: string) =>
      notificationsOf().publish(topicArn, message, subject),
  };
  // The retraining state machine, beside the classification (registered in its state machines).
  let retraining: Promise<EmbeddedEngine> | undefined;
  const buildRetraining = async () => {
    // Imported when first needed: the SageMaker service's modules are heavy for a run that never retrains.
    const { imageClassificationUri } = await import('./sagemaker/index.ts');
    const built = createRetrainingEngine(engine, {
      stage: config.stage,
      bucket: config.bucket,
      endpointName: config.endpointName,
      s3,
      sagemaker: sagemakerTasks,
      trainingImage: imageClassificationUri(config.region) ?? imageClassificationUri('us-east-1') ?? '',
      sagemakerRoleArn: localSageMakerRole(config),
      groundTruthPrefix: GROUND_TRUTH_PREFIX,
      capturePrefix: capturePrefixOf(options),
      loadModel: (uri) => loadArtifactModel(uri, s3),
      telemetry,
      // The stage's topic: the trigger's sink when events run, else one writing the same files.
      sns: topics,
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    });
    definitions.set(built.stateMachineArn, JSON.stringify(built.definition));
    return built;
  };
  const stopServers = async () => {
    await apis?.close();
    await (await localSageMaker?.catch(() => undefined))?.close();
    await fleet.stop();
    await endpoint.stop();
    // S3 last: the endpoints' capture writes what it buffered on stop.
    await localS3.stop();
    s3.destroy();
    sagemakerRuntime.destroy();
    await runLog.close();
  };
  let modelEndpoint: ModelEndpoint | undefined;
  try {
    if (gateway) {
      // A running stack serves the batch state machine too (StartExecution over a prefix).
      const batch = createBatchEngine(engine, {
        stage: config.stage,
        bucket: config.bucket,
        intakePrefix: config.intakePrefix,
        s3,
        telemetry,
        ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
      });
      definitions.set(batch.stateMachineArn, JSON.stringify(batch.definition));
      retraining = buildRetraining();
      await retraining;
      const stepFunctions = registeredStateMachines(
        stateMachines,
        definitions,
        stateMachineRoles(config),
        stateMachineFactory(
          config,
          { s3, sagemaker: sagemakerTasks, sns: topics },
          stateMachines,
          options.retryDelayMs,
        ),
      );
      // Its SageMaker state first: the endpoints it kept come back InService before the workflow's is set.
      apis = await startAwsApis({ dataDir, s3, fleet, region: config.region, functionLines: runLog });
      await ensureRolloutAlarm(apis, config, engine.stateMachineArn);
      // What eventrules/retrain-on-reviewed-labels.json waits for (reviewed-labels.ts says why an alarm).
      if (options.trigger)
        await ensureReviewedLabelsAlarm(
          apis.cloudwatch,
          config.stage,
          reviewedLabelsSettings({ ...process.env, ...options.env }),
        );
      for (const route of stackRoutes(endpoint, stepFunctions, apis, fleet.faults)) gateway.mount(route);
    }
    modelEndpoint = await serveWorkflowEndpoint({
      choice,
      server: endpoint,
      fleet,
      // Without a stack, the control plane starts only for a model to deploy (or a SageMaker Task).
      sagemaker,
      config,
      capture: options.capture,
    });
  } catch (error) {
    await stopServers();
    throw error;
  }
  try {
    trigger = options.trigger
      ? startEmbeddedTrigger(
          {
            config,
            engine,
            intake: intake as EmbeddedEngine,
            objectEvents: localS3.notifications,
            dataDir,
            kitWrites: kitWritesOf(config, options),
            retraining: () => (retraining ??= buildRetraining()),
          },
          options.trigger === true ? {} : options.trigger,
        )
      : undefined;
  } catch (error) {
    await stopServers();
    throw error;
  }
  // A stack's alarms: their state changes on the bus (event-driven mode), their SNS actions to the local SNS.
  const alarmRouting: AlarmRouting | undefined = apis
    ? routeAlarmChanges(apis.cloudwatch, {
        notifications: notificationsOf(),
        ...(trigger ? { bus: trigger.bus } : {}),
      })
    : undefined;
  const startedSageMaker = apis?.sagemaker ?? (await localSageMaker);
  return {
    config,
    s3,
    localS3,
    endpoint,
    faults: fleet.faults,
    ...(modelEndpoint ? { modelEndpoint } : {}),
    ...(startedSageMaker ? { sagemaker: startedSageMaker } : {}),
    engine,
    get intake() {
      return intake;
    },
    retraining() {
      // Built on first use without a stack: most runs never retrain (building validates the ASL).
      retraining ??= buildRetraining();
      return retraining;
    },
    runLog,
    ...(trigger ? { trigger } : {}),
    threads: localS3.thread ? { 'S3 thread': localS3.thread } : {},
    run: (event, name) => engine.run(event, name),
    swapWorkflow(code) {
      const previous = current;
      const next = build(code);
      try {
        if (intake) intake = buildIntake(code, next.engine);
      } catch (error) {
        // Building registered the new classification engine: put the previous one back.
        stateMachines.register(previous.engine);
        throw error;
      }
      current = next;
      definitions.set(next.engine.stateMachineArn, next.definition);
    },
    async stop() {
      // From now on the trigger takes no upload, so new ones under the intake prefix are refused;
      // what the drain writes (captured records, review items, batch results) is let through.
      draining = true;
      await alarmRouting?.stop();
      await trigger?.stop();
      await stopServers();
    },
  };
}

/** The key prefix the endpoint captures under (what BuildTrainingSet joins ground truth with). */
function capturePrefixOf(options: EmbeddedRuntimeOptions): string {
  const key = parseS3Uri(options.capture?.destinationS3Uri ?? '')?.key.replace(/\/+$/, '');
  return `${key || DEFAULT_CAPTURE_PREFIX}/`;
}

/** Where the kit itself writes objects: none of it may fall under the intake prefix. */
function kitWritesOf(
  config: KitConfig,
  options: EmbeddedRuntimeOptions,
): { bucket: string; prefix: string }[] {
  const writes = [
    { bucket: config.bucket, prefix: config.reviewPrefix },
    { bucket: config.bucket, prefix: BATCH_RESULTS_PREFIX },
    { bucket: config.bucket, prefix: RETRAINING_PREFIX },
  ];
  const capture = parseS3Uri(options.capture?.destinationS3Uri ?? '');
  if (capture) writes.push({ bucket: capture.bucket, prefix: capture.key });
  return writes;
}

/**
 * The stage's rollout alarm in the stack's CloudWatch (src/workflow/rollout-alarm.ts), as deploy puts
 * it on AWS: a retraining's canary is watched by it. A restart leaves it, its state and history as
 * they are (ensureMetricAlarm).
 */
async function ensureRolloutAlarm(
  apis: AwsApis,
  config: KitConfig,
  classificationArn: string,
): Promise<void> {
  const [, partition = 'aws', , region = config.region, accountId = ''] = classificationArn.split(':');
  const request = rolloutAlarmRequest({
    stage: config.stage,
    endpointName: config.endpointName,
    notificationTopicArn: `arn:${partition}:sns:${region}:${accountId}:${eventResourceNames(config.stage).notificationTopic}`,
  });
  await ensureMetricAlarm(apis.cloudwatch, { ...request });
}
