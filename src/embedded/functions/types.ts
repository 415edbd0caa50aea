/**
 * Shapes of the functions' hosting: the contract a Lambda handler is invoked through (in this
 * thread, or in another one as JSON), the messages that cross to a function's thread, the server
 * threads that carry them, and the run log the functions write to.
 */
import type { Worker } from 'node:worker_threads';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { createHandler as createClassifyHandler } from '../../../lambdas/classify-image/handler.ts';
import type { createHandler as createFilterHandler } from '../../../lambdas/filter-inferences/handler.ts';
import type { createHandler as createSerializeHandler } from '../../../lambdas/serialize-image-data/handler.ts';
import type { LineSink } from '../../../lambdas/shared/telemetry.ts';
import type { FunctionKey } from '../../workflow/definition.ts';
import type { LocalS3, LocalS3Options } from '../s3/index.ts';

// The Lambda handler contract

/** The part of the Lambda context object the kit's handlers may look at. */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  invokedFunctionArn: string;
  functionVersion: string;
  memoryLimitInMB: string;
  getRemainingTimeInMillis(): number;
}

/** A handler called in this thread with the parsed event. */
export type LocalLambdaHandler = (event: never, context: LambdaContext) => Promise<unknown>;

/** The context as it crosses to another thread: the remaining time is computed there from the deadline. */
export type LambdaContextData = Omit<LambdaContext, 'getRemainingTimeInMillis'> & { deadline: number };

/**
 * A function that runs elsewhere (its own thread: thread-functions.ts): it takes the event as JSON
 * and resolves with the result as JSON, or rejects with the TaskError of the function's error.
 */
export interface RemoteLambdaHandler {
  invokeJson(eventJson: string, context: LambdaContextData): Promise<string>;
}

export type LambdaHandler = LocalLambdaHandler | RemoteLambdaHandler;

// Functions hosted in a thread (thread-functions.ts, host.ts)

/** Loads functions: their handler modules (URLs) and the environment they see. */
export interface LoadFunctions {
  op: 'load-functions';
  modules: Partial<Record<FunctionKey, string>>;
  configEnv: Record<string, string>;
  telemetryEnv: Record<string, string | undefined>;
}

/** One invocation: the event's JSON and the context's data. */
export interface InvokeFunction {
  op: 'invoke';
  key: FunctionKey;
  event: string;
  context: LambdaContextData;
}

/** The answer: the result's JSON or the function error, and the lines written since the last answer. */
export interface FunctionAnswer {
  result?: string;
  error?: { name: string; cause: string };
  lines: string[];
}

export type FunctionCall = LoadFunctions | InvokeFunction;

export interface FunctionHost {
  handle(call: FunctionCall): Promise<FunctionAnswer | null>;
  stop(): void;
}

export interface ThreadFunctionsOptions {
  /** The functions to host, by the URL of their handler module (it exports `createHandler`). */
  modules: Partial<Record<FunctionKey, string>>;
  /** The environment the config module reads in the thread (target, endpoints, THRESHOLD, ...). */
  configEnv: Record<string, string>;
  /** The functions' Powertools settings (TelemetryOptions.env). */
  telemetryEnv: Record<string, string | undefined>;
  /** Where the functions' log and metric lines go, in the order they were written. */
  sink: LineSink;
}

/** Something that hosts functions in another thread (a server thread with a function host). */
export interface FunctionThread {
  hostFunctions(options: ThreadFunctionsOptions): Promise<Partial<Record<FunctionKey, RemoteLambdaHandler>>>;
}

// What a function is built with (wiring.ts)

/** Each function's `createHandler`, as its handler module exports it. */
export interface HandlerFactories {
  serialize: typeof createSerializeHandler;
  classify: typeof createClassifyHandler;
  filter: typeof createFilterHandler;
}

/** The clients a function may use; read only by the functions that need them. */
export interface FunctionClients {
  readonly s3: S3Client;
  readonly sagemakerRuntime: SageMakerRuntimeClient;
}

// Where functions run (placement.ts, s3-thread.ts)

export interface PlacedFunctions {
  /** Handlers of the functions hosted in threads; the others are built beside the engine. */
  handlers: Partial<Record<FunctionKey, LambdaHandler>>;
}

export interface PlacementOptions {
  /** Modules of the functions that may run from them, by key (the others stay with the engine). */
  modules: Partial<Record<FunctionKey, string>>;
  localS3: LocalS3 | ThreadedLocalS3;
  /** The environment the config module reads in a thread (target, endpoints, THRESHOLD, ...). */
  configEnv: Record<string, string>;
  telemetryEnv: Record<string, string | undefined>;
  sink: LineSink;
}

/** What a local S3 in a worker thread takes: every option that is plain data. */
export type ThreadedS3Options = Omit<LocalS3Options, 'fileSystem' | 'handOffNotifications'>;

/** The S3 worker's data: its options, and the main thread's subscriber count (one Int32, shared). */
export interface S3ThreadData {
  options: ThreadedS3Options;
  mainSubscribers: Int32Array;
}

/** Reported by the worker once it listens. */
export interface ThreadedS3Ready {
  endpoint: string;
  directory: string;
}

export type ThreadedLocalS3 = LocalS3 & FunctionThread;

// Server threads (server-thread.ts, server-thread-host.ts, thread-rpc.ts)

export type ControlMessage =
  | { kind: 'ready'; value: unknown }
  | { kind: 'failed'; error: SerializedError }
  | { kind: 'stop' }
  | { kind: 'stopped' };

export interface ServerThread<Ready> {
  /** What the server reported once listening. */
  ready: Ready;
  /** The thread (its CPU usage and CPU profile are read through it by the benchmarks). */
  worker: Worker;
  /** Calls the server in the thread (its `onCall`); rejects if the thread is gone. */
  call(value: unknown): Promise<unknown>;
  /** Closes the server, then ends the thread. */
  stop(): Promise<void>;
}

export interface HostedServer {
  /** Sent to the main thread once listening (must survive structured clone). */
  ready: unknown;
  stop(): Promise<void>;
  /** Answers the main thread's calls (ServerThread.call). */
  onCall?: CallHandler;
}

/** Asks the main thread; resolves with its answer, rejects with what it threw. */
export type MainThreadCall = (value: unknown) => Promise<unknown>;

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export interface ThreadRpc {
  call(value: unknown): Promise<unknown>;
  /** Rejects every call still waiting, and every later one (the other thread is gone). */
  rejectPending(error: Error): void;
  readonly pending: number;
}

/** Answers a call; what it returns (or throws, or the promise it returns settles to) is the reply. */
export type CallHandler = (value: unknown) => unknown;

// The run log (run-log.ts)

export interface RunLogOptions {
  /** Also write every line here (`--verbose`: process.stderr). */
  echo?: Pick<NodeJS.WritableStream, 'write'>;
  /** Default: the start time and a random suffix, e.g. `2026-11-26T12-34-56-789Z-3fa2c1`. */
  runId?: string;
}

export interface RunLog {
  runId: string;
  /** Absolute path of the `.jsonl` file. */
  path: string;
  write: LineSink;
  /** Lines written so far (and queued). */
  readonly lines: number;
  /** Also gives every batch of lines, as written, to `listener`; returns what stops it. */
  onLines(listener: (lines: readonly string[]) => void): () => void;
  /** Writes what is queued now (and gives it to the listeners). */
  flush(): void;
  /** Writes what is queued and closes the file. */
  close(): Promise<void>;
}
