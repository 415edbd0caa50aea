/** Shapes of the local SageMaker endpoint: its server's options and handle, the stub model's rules. */
import type { IncomingHttpHeaders } from 'node:http';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Predictor } from '../../workflow/predictor.ts';
import type { Answer, Route, ServerLimits } from '../gateway/index.ts';
import type { CaptureOptions, DataCapture } from './data-capture.ts';
import type { EndpointFaults } from './faults.ts';
import type { ModelFaults } from './model-faults.ts';

// The endpoint's server (endpoint-server.ts, container.ts)

export interface EndpointServerOptions {
  /**
   * The server's own model (the stub, a test's, `scones serve`'s); without one the server serves
   * only the endpoints `hosted` finds by name, and not the container contract or the control routes.
   */
  predictor?: Predictor;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1; a container binds 0.0.0.0. */
  host?: string;
  /** The one endpoint name the runtime route answers (default `scones-image-classification`). */
  endpointName?: string;
  /** Reported in `x-Amzn-Invoked-Production-Variant` and capture paths (default `AllTraffic`). */
  variantName?: string;
  capture?: CaptureOptions;
  /** Account and region in messages and ARNs, as the service words them. */
  accountId?: string;
  region?: string;
  /** Timeouts and header bounds (defaults: `ENDPOINT_LIMITS`). */
  limits?: Partial<ServerLimits>;
  /**
   * Where InvokeEndpoint finds endpoints by name instead of the server's own (a tier's fleet: the
   * SageMaker API's endpoints, and the server's own once registered there, fleet.ts). With it, a
   * name the directory does not serve is refused as SageMaker refuses an unknown endpoint.
   */
  hosted?: EndpointDirectory;
  /** Model fault rules the server's own endpoint answers by too (a tier's: its fleet's `faults`). */
  modelFaults?: ModelFaults;
}

export interface EndpointServer {
  /** Base URL for `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  endpointName: string;
  variantName: string;
  /** The server's own model; undefined when it was started without one. */
  predictor: Predictor | undefined;
  /** The server's own endpoint (what a directory registers under `endpointName`), when it has a model. */
  own: Endpoint | undefined;
  /** Faults of the server's own endpoint and its listener. */
  faults: EndpointFaults;
  /** Present when the server's own endpoint captures. */
  capture: DataCapture | undefined;
  /** Invocations that reached the server's own predictor or a fault. */
  readonly invocations: number;
  /**
   * The SageMaker-runtime API of this endpoint as a gateway route (`scones up`'s one port): the
   * same invocations, counters, faults and capture; the container contract and the control routes
   * stay on the endpoint's own port.
   */
  route: Route;
  stop(): Promise<void>;
}

export interface ContainerAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

// Invocations apart from HTTP (endpoint.ts)

/**
 * An answer to send, and what to do once it is sent (capture), or the reset fault: drop the
 * connection. `served` (never sent) says which variant answered and what its model returned, which
 * the endpoint metrics count (a ModelError is 424 to the client, the model's own status to them).
 */
export type InvocationAnswer =
  | (Answer & { afterSend?: () => void; served?: { variantName: string; modelStatus: number } })
  | 'reset';

export interface EndpointSettings {
  predictor: Predictor;
  endpointName: string;
  variantName: string;
  accountId: string;
  region: string;
  faults: EndpointFaults;
  capture?: CaptureOptions;
  /** The SageMaker model the variant serves (what model fault rules match), when it has one. */
  modelName?: string;
  /** The fleet's model fault rules, matched per invocation (model-faults.ts). */
  modelFaults?: ModelFaults;
}

export interface Endpoint {
  readonly endpointName: string;
  readonly variantName: string;
  readonly predictor: Predictor;
  readonly faults: EndpointFaults;
  /** Present when capture is enabled. */
  readonly capture: DataCapture | undefined;
  /** Invocations that reached the predictor or a fault. */
  readonly invocations: number;
  /** InvokeEndpoint on `/endpoints/<encodedName>/invocations`. */
  invoke(encodedName: string, headers: IncomingHttpHeaders, body: Buffer): Promise<InvocationAnswer>;
  /** The container contract's `POST /invocations`. */
  invokeContainer(headers: IncomingHttpHeaders, body: Buffer): Promise<InvocationAnswer>;
  /** `GET /ping`: 200 when the model is loaded, else 503. */
  ping(): Answer;
}

// The stub model (stub-predictor.ts)

/** A scripted answer: probabilities, or an error the predictor throws for that request. */
export type ScriptedResponse = number[] | Error;

export interface StubPredictorOptions {
  /** Classes of the default hash rule (default 2: bicycle, motorcycle). */
  classCount?: number;
  /** Always answer these probabilities. */
  probabilities?: number[];
  /** Compute the answer from the request. */
  predict?: (body: Buffer, contentType: string) => number[] | Promise<number[]>;
  /** Answers consumed one per request, before any other rule. */
  script?: ScriptedResponse[];
  /** Refuse bodies that are not PNG or JPEG, as the image model does (default true). */
  requireImage?: boolean;
}

/** JSON form of a stub's rules, for steering a stub in another process over HTTP. */
export interface StubRules {
  probabilities?: number[] | null;
  script?: (number[] | { error: string; statusCode?: number })[];
  ready?: boolean;
  /** Back to the default hash rule and an empty script. */
  reset?: boolean;
}

export interface StubPredictor extends Predictor {
  setProbabilities(probabilities: number[] | undefined): void;
  setPredict(predict: StubPredictorOptions['predict']): void;
  /** Appends scripted answers. */
  script(...responses: ScriptedResponse[]): void;
  setReady(ready: boolean): void;
  /** Default hash rule, empty script, ready. */
  reset(): void;
  applyRules(rules: StubRules): void;
  readonly calls: number;
}

// The endpoints the SageMaker API deploys (fleet.ts)

/** A predictor the fleet owns: disposed when its endpoint stops serving it. */
export interface LoadedPredictor extends Predictor {
  dispose?(): void;
}

/** An endpoint InvokeEndpoint can find by name besides the server's own. */
export interface HostedEndpoint {
  invoke(encodedName: string, headers: IncomingHttpHeaders, body: Buffer): Promise<InvocationAnswer>;
}

/** Where InvokeEndpoint looks an endpoint up by name (a tier's fleet). */
export interface EndpointDirectory {
  find(name: string): HostedEndpoint | undefined;
}

/** What to serve under one endpoint name (the control plane's EndpointDeployment has these members). */
export interface HostedDeployment {
  endpointName: string;
  variants: readonly { variantName: string; modelName?: string; modelDataUrl: string; weight: number }[];
  dataCapture?: HostedCapture;
}

/** The endpoint config's DataCaptureConfig, as the control plane resolves it. */
export interface HostedCapture {
  enabled: boolean;
  samplingPercentage: number;
  destinationS3Uri: string;
  captureInput: boolean;
  captureOutput: boolean;
  csvContentTypes: readonly string[];
  jsonContentTypes: readonly string[];
}

export interface EndpointFleetOptions {
  /** Loads the model of an artifact (`s3://.../model.tar.gz`); rejects when it is not a model. */
  loadModel(modelDataUrl: string): Promise<LoadedPredictor>;
  /** Writes the captured records; default a client of the environment's config (as DataCapture's). */
  s3?: S3Client;
  accountId?: string;
  region?: string;
  /** Draws variants by weight (tests pin it); default Math.random. */
  random?: () => number;
  /** How often captured records are written (default the capture's 1 s). */
  captureFlushIntervalMs?: number;
  /** The model fault rules every endpoint of the fleet answers by (default: new, empty). */
  modelFaults?: ModelFaults;
}
