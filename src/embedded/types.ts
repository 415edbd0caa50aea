/** Shapes of the embedded runtime: what it is started with and what it hands back. */
import type { Worker } from 'node:worker_threads';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KitConfig } from '../config.ts';
import type { ExecutionRecord } from '../workflow/execution.ts';
import type { ModelEndpoint, SageMakerApi } from '../workflow/model-endpoint.ts';
import type { Predictor } from '../workflow/predictor.ts';
import type { ImageEvent } from '../workflow/types.ts';
import type { EmbeddedTrigger, TriggerOptions } from './events/index.ts';
import type { RunLog } from './functions/index.ts';
import type { LocalS3 } from './s3/index.ts';
import type { CaptureOptions, EndpointServer, ModelFaults } from './sagemaker-runtime/index.ts';
import type { EmbeddedEngine, WorkflowCode } from './stepfunctions/index.ts';

export interface EmbeddedRuntimeOptions {
  /** Folder of the local S3 store; default `.scones/embedded` under the working directory. */
  dataDir?: string;
  /**
   * A model this process holds (or how to load it once the local S3 is up), registered in the
   * fleet under the workflow's endpoint name: tests' stubs and predictors. Default the stub, unless
   * `workflowEndpoint` is given.
   */
  predictor?: Predictor | PredictorFactory;
  /**
   * The kit's flows' endpoint, decided once the local S3 is up (they stage and train first): a
   * trained model deployed under the workflow's endpoint name through the SageMaker API (CreateModel,
   * CreateEndpointConfig with `capture`, CreateEndpoint; reused when already InService), a
   * predictor registered as `predictor` is (the stub), or none: the tier then serves only the
   * endpoints created through its SageMaker API. Ignored when `predictor` is given.
   */
  workflowEndpoint?: WorkflowEndpointFactory;
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
  /** Port of the local S3 (and, with `stepFunctionsApi`, of every service); default a free one. */
  port?: number;
  /**
   * A running stack's one port (`scones up`): the gateway serves S3, the Step Functions API
   * (stepfunctions/api/) and the endpoint's SageMaker-runtime API there, and refuses writes while
   * the stack stops. The S3 then runs in this thread.
   */
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

/** What serves the workflow's endpoint: a model.tar.gz the SageMaker API deploys, or a predictor held here. */
export type WorkflowEndpoint = { modelDataUrl: string } | { predictor: Predictor };

/** Decides the workflow's endpoint once the local S3 is up; undefined: none at start. */
export type WorkflowEndpointFactory = (
  s3: S3Client,
  config: KitConfig,
) => Promise<WorkflowEndpoint | undefined>;

export interface EmbeddedRuntime {
  config: KitConfig;
  s3: S3Client;
  localS3: LocalS3;
  /** The SageMaker-runtime server: InvokeEndpoint by name over the fleet; the stub's controls. */
  endpoint: EndpointServer;
  /**
   * Model fault rules of every endpoint of the tier (`add(rule)`, `set`, `remove`, `clear`, `list`):
   * a matching invocation's container answers an error (ModelError 424 to the client) counted in
   * the endpoint's AWS/SageMaker error metrics. A running stack serves them on `/_scones/faults`.
   */
  faults: ModelFaults;
  /** The workflow's endpoint when the SageMaker API deployed it at start (a trained model). */
  modelEndpoint?: ModelEndpoint;
  /** The local SageMaker control plane, when this run has one (a stack, or a model deployed at start). */
  sagemaker?: SageMakerApi;
  engine: EmbeddedEngine;
  /**
   * Event-driven mode: the intake state machine, the uploads' target, which starts `engine`'s
   * executions under names from the object (registered beside it in `engine.stateMachines`).
   */
  intake?: EmbeddedEngine;
  /**
   * The retraining state machine (statemachine/model-retraining.asl.json), registered beside
   * `engine`: built with a stack (so its Step Functions API lists it), else on first call.
   */
  retraining(): Promise<EmbeddedEngine>;
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
