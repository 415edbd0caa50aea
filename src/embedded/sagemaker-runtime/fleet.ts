/**
 * The endpoints the local SageMaker API deploys (CreateEndpoint, UpdateEndpoint), served by name
 * on the runtime's InvokeEndpoint beside the runtime's own endpoint. Each endpoint is a set of
 * production variants, each a model loaded from its artifact (the injected `loadModel`, the kit's
 * predictor) behind the same invocation code as the runtime's own endpoint (endpoint.ts: headers,
 * errors, `x-Amzn-Invoked-Production-Variant`, capture to `<destination>/<endpoint>/<variant>/`).
 *
 * An invocation goes to its `X-Amzn-SageMaker-Target-Variant`, else to a variant drawn by weight.
 * A deployment loads every new model before it replaces anything: the swap is one assignment, so
 * no request is dropped; invocations already running finish on the old models, which are then
 * disposed. A model that does not load leaves the endpoint serving what it served.
 *
 * Blue/green (the control plane's UpdateEndpoint with a DeploymentConfig): `stage` loads the new
 * fleet beside the served one, `shift` moves the share of invocations green answers, `promote`
 * keeps green alone and `discard` blue alone (blue-green.ts); the fleet let go of finishes first.
 *
 * The fleet is the one place a tier's endpoints live: a model this process already holds (the
 * runtime's stub, a test's predictor, `scones serve`'s model) is registered under its name too,
 * served through its own endpoint (its faults and capture) and stopped by its owner. One name, one
 * endpoint: a deployment under a registered name takes its place, as a registration takes a
 * deployment's.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { LOCAL_ACCOUNT } from '../shared/index.ts';
import { BlueGreenEndpoint, type ServedFleet } from './blue-green.ts';
import type { CaptureMode, CaptureOptions } from './data-capture.ts';
import { createEndpoint } from './endpoint.ts';
import { EndpointFaults } from './faults.ts';
import { type InvocationRecord, observedEndpoint } from './invocation-metrics.ts';
import { ModelFaults } from './model-faults.ts';
import type {
  Endpoint,
  EndpointFleetOptions,
  HostedCapture,
  HostedDeployment,
  HostedEndpoint,
  InvocationAnswer,
  LoadedPredictor,
} from './types.ts';
import { type ServedVariant, VariantSet } from './variant-set.ts';

/** A variant whose model did not load: `variantName` says which (the control plane's FailureReason). */
export class VariantLoadError extends Error {
  override name = 'VariantLoadError';
  readonly variantName: string;

  constructor(variantName: string, message: string) {
    super(message);
    this.variantName = variantName;
  }
}

/** An endpoint whose model this process holds, served by name; its owner stops it. */
class RegisteredEndpoint implements ServedFleet {
  readonly endpoint: Endpoint;

  get variantNames(): readonly string[] {
    return [this.endpoint.variantName];
  }

  constructor(endpoint: Endpoint) {
    this.endpoint = endpoint;
  }

  invoke(encodedName: string, headers: IncomingHttpHeaders, body: Buffer): Promise<InvocationAnswer> {
    return this.endpoint.invoke(encodedName, headers, body);
  }

  async flush(): Promise<void> {
    await this.endpoint.capture?.flush();
  }

  /** Nothing to let go of: the owner (the endpoint's server) stops it. */
  async retire(): Promise<void> {}
}

/** The faults of a hosted variant: never injected (no control routes), so no listener to close. */
const NO_LISTENER = { closeListener: async () => undefined, reopenListener: async () => undefined };

function captureOptions(
  capture: HostedCapture | undefined,
  options: EndpointFleetOptions,
): CaptureOptions | undefined {
  if (!capture?.enabled) return undefined;
  const captureModes: CaptureMode[] = [
    ...(capture.captureInput ? (['Input'] as const) : []),
    ...(capture.captureOutput ? (['Output'] as const) : []),
  ];
  return {
    destinationS3Uri: capture.destinationS3Uri,
    samplingPercentage: capture.samplingPercentage,
    captureModes,
    ...(capture.jsonContentTypes.length > 0 ? { jsonContentTypes: [...capture.jsonContentTypes] } : {}),
    ...(capture.csvContentTypes.length > 0 ? { csvContentTypes: [...capture.csvContentTypes] } : {}),
    ...(options.s3 ? { s3: options.s3 } : {}),
    ...(options.captureFlushIntervalMs === undefined
      ? {}
      : { flushIntervalMs: options.captureFlushIntervalMs }),
  };
}

export class EndpointFleet {
  readonly #options: EndpointFleetOptions;
  /**
   * Model fault rules (model-faults.ts) every variant the fleet deploys answers by, matched by
   * endpoint, variant and model name; a registered endpoint by them too when its server was given
   * them (the runtime's is).
   */
  readonly faults: ModelFaults;
  readonly #served = new Map<string, VariantSet | RegisteredEndpoint | BlueGreenEndpoint>();
  readonly #invocationListeners = new Set<(record: InvocationRecord) => void>();
  /** The wrappers that time an endpoint's invocations for the listeners, by served endpoint. */
  readonly #observed = new WeakMap<HostedEndpoint, HostedEndpoint>();
  readonly #reportInvocation = (record: InvocationRecord) => {
    for (const listener of this.#invocationListeners) listener(record);
  };

  constructor(options: EndpointFleetOptions) {
    this.#options = options;
    this.faults = options.modelFaults ?? new ModelFaults(options.random);
  }

  /** The endpoint served under `name` (as InvokeEndpoint's path names it), if any. */
  find(name: string): HostedEndpoint | undefined {
    const served = this.#served.get(name);
    if (!served || this.#invocationListeners.size === 0) return served;
    // One observed wrapper per served endpoint, made on its first invocation: none per request.
    let observed = this.#observed.get(served);
    if (!observed) {
      observed = observedEndpoint(name, served, this.#reportInvocation);
      this.#observed.set(served, observed);
    }
    return observed;
  }

  /** Calls `listener` with every invocation the fleet answers (endpoint metrics); returns an unsubscribe. */
  onInvocation(listener: (record: InvocationRecord) => void): () => void {
    this.#invocationListeners.add(listener);
    return () => this.#invocationListeners.delete(listener);
  }

  /** Names of the endpoints served. */
  get names(): string[] {
    return [...this.#served.keys()];
  }

  /** Serves `endpoint` (a model this process holds) under its name, in place of what the name served. */
  register(endpoint: Endpoint): void {
    const previous = this.#served.get(endpoint.endpointName);
    this.#served.set(endpoint.endpointName, new RegisteredEndpoint(endpoint));
    if (previous) void previous.retire();
  }

  /** Loads every variant's model, then serves them in place of what `endpointName` served. */
  async deploy(deployment: HostedDeployment): Promise<void> {
    const variants = await this.#load(deployment);
    const previous = this.#served.get(deployment.endpointName);
    this.#served.set(deployment.endpointName, variants);
    if (previous) void previous.retire();
  }

  /** Loads `deployment` (green) beside what its endpoint serves (blue), green taking no invocation yet. */
  async stage(deployment: HostedDeployment): Promise<void> {
    const green = await this.#load(deployment);
    let blue: ServedFleet | undefined = this.#served.get(deployment.endpointName);
    if (blue instanceof BlueGreenEndpoint) {
      // A rollout that was not finished: its green is let go, its blue stays blue.
      void blue.green.retire();
      blue = blue.blue;
    }
    if (!blue) {
      void green.retire();
      throw new Error(`endpoint ${deployment.endpointName} is not served: nothing to deploy beside`);
    }
    this.#served.set(deployment.endpointName, new BlueGreenEndpoint(blue, green));
  }

  /** The share (0..1) of `endpointName`'s invocations its staged fleet answers. */
  async shift(endpointName: string, greenShare: number): Promise<void> {
    this.#rollout(endpointName).greenShare = Math.min(1, Math.max(0, greenShare));
  }

  /** The staged fleet alone serves `endpointName`; the old one finishes its invocations and is let go. */
  async promote(endpointName: string): Promise<void> {
    const rollout = this.#rollout(endpointName);
    this.#served.set(endpointName, rollout.green as VariantSet);
    // Its invocations under way finish on it (up to RETIRE_AFTER_MS); the rollout does not wait.
    void rollout.blue.retire();
  }

  /** Every invocation back to the old fleet at once; the staged one is let go. */
  async discard(endpointName: string): Promise<void> {
    const rollout = this.#served.get(endpointName);
    if (!(rollout instanceof BlueGreenEndpoint)) return;
    this.#served.set(endpointName, rollout.blue as VariantSet | RegisteredEndpoint);
    void rollout.green.retire();
  }

  /** The rollout under way on `endpointName`: its fleets and what each answered. */
  rollout(endpointName: string): BlueGreenEndpoint | undefined {
    const served = this.#served.get(endpointName);
    return served instanceof BlueGreenEndpoint ? served : undefined;
  }

  #rollout(endpointName: string): BlueGreenEndpoint {
    const rollout = this.rollout(endpointName);
    if (!rollout) throw new Error(`endpoint ${endpointName} has no new fleet staged`);
    return rollout;
  }

  async #load(deployment: HostedDeployment): Promise<VariantSet> {
    const loads = await Promise.allSettled(
      deployment.variants.map((variant) => this.#options.loadModel(variant.modelDataUrl)),
    );
    const failed = loads.findIndex((load) => load.status === 'rejected');
    if (failed >= 0) {
      for (const load of loads) if (load.status === 'fulfilled') load.value.dispose?.();
      const reason = (loads[failed] as PromiseRejectedResult).reason as Error;
      const variant = deployment.variants[failed]?.variantName ?? '?';
      throw new VariantLoadError(variant, `the model of variant ${variant} did not load: ${reason.message}`);
    }
    const capture = captureOptions(deployment.dataCapture, this.#options);
    const variants = deployment.variants.map((variant, index): ServedVariant => {
      const predictor = (loads[index] as PromiseFulfilledResult<LoadedPredictor>).value;
      return {
        name: variant.variantName,
        weight: variant.weight,
        predictor,
        endpoint: createEndpoint({
          predictor,
          endpointName: deployment.endpointName,
          variantName: variant.variantName,
          accountId: this.#options.accountId ?? LOCAL_ACCOUNT,
          region: this.#options.region ?? 'us-east-1',
          faults: new EndpointFaults(NO_LISTENER),
          modelFaults: this.faults,
          ...(variant.modelName ? { modelName: variant.modelName } : {}),
          ...(capture ? { capture } : {}),
        }),
      };
    });
    return new VariantSet(variants, this.#options.random ?? Math.random);
  }

  /** New weights for the variants served (UpdateEndpointWeightsAndCapacities). */
  async route(
    endpointName: string,
    weights: readonly { variantName: string; weight: number }[],
  ): Promise<void> {
    let served = this.#served.get(endpointName);
    // During a rollout the weights are the old fleet's (SageMaker refuses new ones then anyway).
    if (served instanceof BlueGreenEndpoint) served = served.blue as VariantSet;
    if (!(served instanceof VariantSet))
      throw new Error(`endpoint ${endpointName} is not served by variants`);
    for (const { variantName, weight } of weights) {
      const variant = served.variants.find((v) => v.name === variantName);
      if (variant) variant.weight = weight;
    }
  }

  /**
   * Stops serving `endpointName` (DeleteEndpoint); invocations running finish first. A registered
   * endpoint stays: it took the name from a deployment the control plane still listed (`scones up
   * --stub` over a kept endpoint), and deleting that deployment does not remove what replaced it.
   */
  async remove(endpointName: string): Promise<void> {
    const served = this.#served.get(endpointName);
    if (served instanceof RegisteredEndpoint) return;
    this.#served.delete(endpointName);
    await served?.retire();
  }

  /** Writes what every served variant's capture buffered so far. */
  async flush(): Promise<void> {
    await Promise.all([...this.#served.values()].map((served) => served.flush()));
  }

  /** Stops serving every endpoint, writing what their capture buffered (a registered one's owner stops it). */
  async stop(): Promise<void> {
    const all = [...this.#served.values()];
    this.#served.clear();
    await Promise.all(all.map((served) => served.retire()));
  }
}
