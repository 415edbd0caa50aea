/**
 * One deployment's variants served under an endpoint name (fleet.ts): an invocation goes to its
 * `X-Amzn-SageMaker-Target-Variant`, else to a variant drawn by weight; the set counts the
 * invocations running on it so that, once replaced, it lets go of its models only after they finish.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { jsonAnswer } from '../gateway/index.ts';
import type { ServedFleet } from './blue-green.ts';
import type { Endpoint, InvocationAnswer, LoadedPredictor } from './types.ts';

/** How long a replaced set of models may keep finishing its invocations before it is disposed. */
const RETIRE_AFTER_MS = 60_000;

export interface ServedVariant {
  name: string;
  weight: number;
  endpoint: Endpoint;
  predictor: LoadedPredictor;
}

/** One deployment's variants, and the invocations still running on them. */
export class VariantSet implements ServedFleet {
  readonly variants: ServedVariant[];
  readonly #random: () => number;
  #inFlight = 0;
  #idle: (() => void) | undefined;

  constructor(variants: ServedVariant[], random: () => number) {
    this.variants = variants;
    this.#random = random;
  }

  get variantNames(): readonly string[] {
    return this.variants.map((variant) => variant.name);
  }

  async invoke(encodedName: string, headers: IncomingHttpHeaders, body: Buffer): Promise<InvocationAnswer> {
    const target = headers['x-amzn-sagemaker-target-variant'];
    const variant = typeof target === 'string' ? this.variants.find((v) => v.name === target) : this.#draw();
    if (!variant) {
      const endpointName = this.variants[0]?.endpoint.endpointName;
      const message =
        typeof target === 'string'
          ? `The variant "${target}" is not present in the endpoint configuration of endpoint "${endpointName}" (variants: ${this.variants.map((v) => v.name).join(', ')}).`
          : `No variant of endpoint "${endpointName}" has a weight above 0: name one with TargetVariant.`;
      return jsonAnswer(400, { message }, 'ValidationError');
    }
    this.#inFlight++;
    let answer: InvocationAnswer;
    try {
      answer = await variant.endpoint.invoke(encodedName, headers, body);
    } catch (error) {
      this.#done();
      throw error;
    }
    const afterSend = answer === 'reset' ? undefined : answer.afterSend;
    if (answer === 'reset' || !afterSend) {
      this.#done();
      return answer;
    }
    // Captured after the answer is sent: the set stays busy until then.
    return {
      ...answer,
      afterSend: () => {
        try {
          afterSend();
        } finally {
          this.#done();
        }
      },
    };
  }

  #draw(): ServedVariant | undefined {
    const total = this.variants.reduce((sum, variant) => sum + variant.weight, 0);
    if (!(total > 0)) return undefined;
    let point = this.#random() * total;
    for (const variant of this.variants) {
      point -= variant.weight;
      if (point < 0 && variant.weight > 0) return variant;
    }
    return this.variants.findLast((variant) => variant.weight > 0);
  }

  #done(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) this.#idle?.();
  }

  async flush(): Promise<void> {
    await Promise.all(this.variants.map((variant) => variant.endpoint.capture?.flush()));
  }

  /** Waits for the invocations running on it (at most RETIRE_AFTER_MS), then lets go of its models. */
  async retire(): Promise<void> {
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RETIRE_AFTER_MS);
        timer.unref();
        this.#idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await Promise.all(this.variants.map((variant) => releaseVariant(variant)));
  }
}

async function releaseVariant(variant: ServedVariant): Promise<void> {
  variant.endpoint.faults.dispose();
  await variant.endpoint.capture?.stop();
  variant.predictor.dispose?.();
}
