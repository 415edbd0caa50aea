/**
 * The embedded tier in one call: a local S3, a local SageMaker-runtime endpoint (stub or real
 * model), the three real Lambda handlers wired through the config module, and the ASL run
 * in-process. Used by the CLI, the tests and the benchmarks.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { S3Client } from '@aws-sdk/client-s3';
import { ENDPOINT_CLIENT_OPTIONS } from '../../lambdas/classify-image/handler.ts';
import { createS3Client, createSageMakerRuntimeClient } from '../aws/clients.ts';
import { parseS3Uri } from '../aws/s3-uri.ts';
import { endpointEnvironment, type KitConfig, loadConfig } from '../config.ts';
import {
  BATCH_RESULTS_PREFIX,
  DEFINITION_PATHS,
  intakeSubstitutionsFor,
  renderDefinition,
} from '../workflow/definition.ts';
import type { ExecutionRecord } from '../workflow/execution.ts';
import type { Predictor } from '../workflow/predictor.ts';
import type { ImageEvent } from '../workflow/types.ts';
import { type EmbeddedTrigger, startEmbeddedTrigger, type TriggerOptions } from './events/index.ts';
import {
  openRunLog,
  type PlacedFunctions,
  placeFunctions,
  type RunLog,
  startLocalS3Threaded,
  type ThreadedLocalS3,
} from './functions/index.ts';
import type { RequestHandler } from './gateway/index.ts';
import { type LocalS3, S3Error, sendError, startLocalS3 } from './s3/index.ts';
import {
  type CaptureOptions,
  createStubPredictor,
  type EndpointServer,
  startEndpointServer,
} from './sagemaker-runtime/index.ts';
import { DEFAULT_DATA_DIR } from './shared/index.ts';
import {
  createBatchEngine,
  createEngine,
  createIntakeEngine,
  createSfnApiHandler,
  currentEngine,
  type EmbeddedEngine,
  ExecutionRegistry,
  hostableModules,
  isSfnApiRequest,
  REPO_WORKFLOW_CODE,
  registeredStateMachines,
  StateMachineRegistry,
  stateMachineRoles,
  type WorkflowCode,
} from './stepfunctions/index.ts';

export { DEFAULT_DATA_DIR, REPO_WORKFLOW_CODE, type WorkflowCode };

export interface EmbeddedRuntimeOptions {
  /** Folder of the local S3 store; default `.scones/embedded` under the working directory. */
  dataDir?: string;
  /** What the endpoint serves (or how to load it once the local S3 is up); default the stub. */
  predictor?: Predictor | PredictorFactory;
  /** Extra settings, as environment variables (THRESHOLD, SCONES_BUCKET, ...). */
  env?: Record<string, string>;
  /** Milliseconds between retries instead of the ASL's intervals (tests). */
  retryDelayMs?: number;
  /** Endpoint data capture, as SageMaker's DataCaptureConfig. */
  capture?: CaptureOptions;
  /** Also write the Lambdas' log and metric lines to stderr (they always go to the run's log file). */
  verbose?: boolean;
  /** Name of this run's log file, `<dataDir>/logs/<runId>.jsonl`; default the start time. */
  runId?: string;
  /**
   * Event-driven mode (off by default): uploads under the intake prefix start executions through
   * the kit's event rules, failures are notified to `<dataDir>/notifications/`, and execution
   * outcomes are journaled in `<dataDir>/executions/index.jsonl` so a restart remembers them.
   */
  trigger?: boolean | TriggerOptions;
  /** Port of the local S3 (and of the Step Functions API); default a free one. */
  port?: number;
  /** Also serve the Step Functions API (sfn-api.ts) on the local S3's port. */
  stepFunctionsApi?: boolean;
  /** The handlers and ASL to run instead of the repository's (see swapWorkflow). */
  workflow?: WorkflowCode;
  /**
   * The local S3 in a worker thread of its own (default true), with the serialize function that
   * reads from it (the code's `modules` given), so its work uses the other core. False serves
   * both from this thread: for a short run (`scones classify` of a few
   * images), where starting the thread (about 300 ms) costs more than it saves.
   */
  s3Thread?: boolean;
}

/** Loads what the endpoint serves, e.g. a model artifact from the local S3. */
export type PredictorFactory = (s3: S3Client, config: KitConfig) => Promise<Predictor>;

export interface EmbeddedRuntime {
  config: KitConfig;
  s3: S3Client;
  localS3: LocalS3;
  endpoint: EndpointServer;
  engine: EmbeddedEngine;
  /**
   * Event-driven mode: the intake state machine, the uploads' target, which starts `engine`'s
   * executions under names from the object (registered beside it in `engine.stateMachines`).
   */
  intake?: EmbeddedEngine;
  /** The Lambdas' JSON log records and EMF metric documents of this run. */
  runLog: RunLog;
  /** Present in event-driven mode (the `trigger` option). */
  trigger?: EmbeddedTrigger;
  /** The tier's worker threads by name (the local S3's), for CPU figures. */
  readonly threads: Record<string, Worker>;
  run(event: ImageEvent, name?: string): Promise<ExecutionRecord>;
  /**
   * Runs executions started from now on with this code; running ones finish on the code they
   * started with, and names and outcomes stay in the same registry (dedup holds across versions).
   * Throws, and keeps the current code, when the definition does not render or the engine does not
   * build (aws-local-stepfunctions validates it) or a Task has no handler.
   */
  swapWorkflow(code: WorkflowCode): void;
  stop(): Promise<void>;
}

export async function startEmbeddedRuntime(options: EmbeddedRuntimeOptions = {}): Promise<EmbeddedRuntime> {
  const baseConfig = loadConfig({ SCONES_TARGET: 'embedded', ...options.env });
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  // One registry for every version of the code (swapWorkflow), journaled in event-driven mode.
  const executions = options.trigger
    ? new ExecutionRegistry({ journal: path.join(dataDir, 'executions', 'index.jsonl') })
    : new ExecutionRegistry();
  await executions.load();
  // The Step Functions API shares the S3 port; until the engine exists, S3 answers everything.
  let sfnApi: RequestHandler | undefined;
  // Beside it, while stop() drains, writes are refused (503, which clients retry, then report):
  // the trigger no longer listens, so an upload taken then would never start its execution.
  let stopping = false;
  // In a worker thread (a core of its own) unless the Step Functions API shares its port.
  // The thread's module (and the sharp it preloads for the functions it hosts) loads only when used.
  const startS3 = options.s3Thread === false ? startLocalS3 : startLocalS3Threaded;
  const localS3: LocalS3 | ThreadedLocalS3 = await startS3({
    directory: path.resolve(options.dataDir ?? DEFAULT_DATA_DIR, 's3'),
    buckets: [baseConfig.bucket],
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.stepFunctionsApi
      ? {
          alsoServe: (request) => {
            if (isSfnApiRequest(request)) return sfnApi;
            const write = request.method !== 'GET' && request.method !== 'HEAD';
            return stopping && write ? refuseWhileStopping : undefined;
          },
        }
      : {}),
  });
  const s3Config = loadConfig({
    SCONES_TARGET: 'embedded',
    ...options.env,
    ...endpointEnvironment({ s3: localS3.endpoint }),
  });
  const s3 = createS3Client(s3Config);
  let endpoint: EndpointServer;
  try {
    const predictor =
      typeof options.predictor === 'function'
        ? await options.predictor(s3, s3Config)
        : (options.predictor ?? createStubPredictor());
    endpoint = await startEndpointServer({
      predictor,
      endpointName: baseConfig.endpointName,
      ...(options.capture ? { capture: { s3, ...options.capture } } : {}),
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
  const build = (code: WorkflowCode) =>
    createEngine(
      config,
      { s3, sagemakerRuntime },
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
  if (options.stepFunctionsApi) {
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
    sfnApi = createSfnApiHandler(
      registeredStateMachines(stateMachines, definitions, stateMachineRoles(config)),
    );
  }
  const stopServers = async () => {
    await endpoint.stop();
    await localS3.stop();
    s3.destroy();
    sagemakerRuntime.destroy();
    await runLog.close();
  };
  let trigger: EmbeddedTrigger | undefined;
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
          },
          options.trigger === true ? {} : options.trigger,
        )
      : undefined;
  } catch (error) {
    await stopServers();
    throw error;
  }
  return {
    config,
    s3,
    localS3,
    endpoint,
    engine,
    get intake() {
      return intake;
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
      stopping = true;
      await trigger?.stop();
      await stopServers();
    },
  };
}

function refuseWhileStopping(request: IncomingMessage, response: ServerResponse): void {
  const error = new S3Error(
    'ServiceUnavailable',
    503,
    'The local stack is stopping; the request was not taken.',
  );
  sendError(response, request, error, true);
  request.resume();
}

/** Where the kit itself writes objects: none of it may fall under the intake prefix. */
function kitWritesOf(
  config: KitConfig,
  options: EmbeddedRuntimeOptions,
): { bucket: string; prefix: string }[] {
  const writes = [
    { bucket: config.bucket, prefix: config.reviewPrefix },
    { bucket: config.bucket, prefix: BATCH_RESULTS_PREFIX },
  ];
  const capture = parseS3Uri(options.capture?.destinationS3Uri ?? '');
  if (capture) writes.push({ bucket: capture.bucket, prefix: capture.key });
  return writes;
}
