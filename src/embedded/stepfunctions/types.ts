/**
 * Shapes of the embedded Step Functions: executions as the registry hands them out and remembers
 * them, the integrations' handlers and clients, the workflow code an engine runs.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { FunctionKey } from '../../workflow/definition.ts';
import type { ExecutionRecord } from '../../workflow/execution.ts';
import type { HandlerFactories } from '../functions/index.ts';

// Executions (execution-registry.ts)

/** A closed execution, as kept after its record was handed out. */
export interface ExecutionSummary {
  name: string;
  executionArn: string;
  status: ExecutionRecord['status'];
  startDate: string;
  stopDate: string;
  /** The image the execution was about, when its input names one. */
  s3_bucket?: string;
  s3_key?: string;
  /** Present when its JSON is at most MAX_KEPT_CHARS long (a decision is ~200 bytes). */
  output?: unknown;
  /** Likewise (DescribeExecution returns it; an image event is ~100 bytes). */
  input?: unknown;
  error?: string;
  cause?: string;
}

/** What StartExecution returns, plus the promise of the finished record. */
export interface StartedExecution {
  executionArn: string;
  name: string;
  startDate: Date;
  /** False when this start returned an execution already running under the name (a duplicate). */
  started: boolean;
  done: Promise<ExecutionRecord>;
}

export interface StartRequest {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: unknown;
  startDate: Date;
}

export interface ExecutionRegistryOptions {
  /** Closed executions remembered (default 10,000). */
  maxClosed?: number;
  /** JSON Lines file of closed executions, read by load() and appended to as they close. */
  journal?: string;
}

// Task states and their integrations (engine.ts, integrations/)

/** What a Task state runs in-process: its effective input in, its result out. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

/** Per-execution changes to how states run. */
export interface RunOverrides {
  /** Task states answered by these handlers instead of their integration (mocked-tasks.ts). */
  taskHandlers?: Record<string, TaskHandler>;
}

/** A Task handler bound to the execution that runs it (the child's parent). */
export type StartExecutionHandler = (parentExecutionArn: string) => (input: unknown) => Promise<unknown>;

export type SdkIntegrationHandler = (input: unknown) => Promise<unknown>;

export interface SdkIntegrationClients {
  s3: S3Client;
  /** The local SageMaker the `sagemaker:` and `aws-sdk:sagemaker:` Tasks call (integrations/sagemaker.ts). */
  sagemaker?: SageMakerControlPlane;
  /** How often a `.sync` SageMaker Task polls its job (default 100 ms). */
  sagemakerPollMs?: number;
  /** The topics `sns:publish` Tasks publish to (the embedded tier: its notification sink). */
  sns?: TopicPublisher;
}

/** Where an `sns:publish` Task's message goes. */
export interface TopicPublisher {
  publish(topicArn: string, message: string, subject?: string): Promise<void>;
}

/**
 * The local SageMaker control plane as the engine sees it (src/embedded/sagemaker's
 * SageMakerService): the API's JSON request in, its JSON response out, a ServiceError on refusal.
 */
export interface SageMakerControlPlane {
  /** The actions it serves, when known: an `aws-sdk:sagemaker:` Task naming another is refused at build. */
  readonly actions?: readonly string[];
  call(action: string, input: unknown): Promise<unknown>;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface LambdaInvokeEnvelope {
  ExecutedVersion: string;
  Payload: JsonValue;
  SdkHttpMetadata: {
    AllHttpHeaders: Record<string, string[]>;
    HttpHeaders: Record<string, string>;
    HttpStatusCode: number;
  };
  SdkResponseMetadata: { RequestId: string };
  StatusCode: number;
}

export type MockedTaskHandler = (input: unknown) => Promise<unknown>;

// The code and the starters (workflow-version.ts, execution-starter.ts)

/** The code the engine runs: each Lambda's `createHandler` and the ASL (`scones up --watch` swaps them). */
export interface WorkflowCode {
  handlers: HandlerFactories;
  /**
   * ASL templates (with their `${...}` placeholders) by file name in statemachine/, e.g.
   * `image-classification.asl.json`; one not given is the repository's file.
   */
  definitions?: Record<string, string>;
  /**
   * The modules `handlers` come from, by URL: with them, the serialize function runs in the local
   * S3's worker thread, beside the server it reads from (thread-functions.ts). Only the code the
   * runtime starts with; code swapped in later runs in the engine's thread.
   */
  modules?: Record<FunctionKey, string>;
}

export interface StarterStats {
  /** Outcome executions (classifications) started by events. */
  started: number;
  /** Events whose execution found its outcome already started (duplicate deliveries): nothing ran twice. */
  duplicates: number;
  /** Events whose execution failed before starting anything (logged). */
  failed: number;
}
