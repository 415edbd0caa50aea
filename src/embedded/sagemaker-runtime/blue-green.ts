/**
 * An endpoint in the middle of a blue/green deployment: the fleet it served (blue) and the new one
 * (green) both loaded under one name, each invocation drawn to green with probability `greenShare`
 * and answered by that fleet's variants as it would answer alone (its weights, its
 * `x-Amzn-Invoked-Production-Variant`). Moving the share is one assignment: no request is dropped.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HostedEndpoint, InvocationAnswer } from './types.ts';

/** What the fleet serves under a name: it answers, writes its capture, and lets go of its models. */
export interface ServedFleet extends HostedEndpoint {
  /** The variant names it serves (to honour a TargetVariant only one fleet has). */
  readonly variantNames: readonly string[];
  flush(): Promise<void>;
  retire(): Promise<void>;
}

export class BlueGreenEndpoint implements ServedFleet {
  readonly blue: ServedFleet;
  readonly green: ServedFleet;
  /** 0..1: the share of invocations green answers. */
  greenShare = 0;
  readonly #random: () => number;
  /** Invocations each fleet answered since green was staged (the rollout's own count). */
  readonly answered = { blue: 0, green: 0 };

  constructor(blue: ServedFleet, green: ServedFleet, random: () => number) {
    this.blue = blue;
    this.green = green;
    this.#random = random;
  }

  get variantNames(): readonly string[] {
    return [...new Set([...this.blue.variantNames, ...this.green.variantNames])];
  }

  invoke(encodedName: string, headers: IncomingHttpHeaders, body: Buffer): Promise<InvocationAnswer> {
    let toGreen = this.greenShare > 0 && this.#random() < this.greenShare;
    const target = headers['x-amzn-sagemaker-target-variant'];
    if (typeof target === 'string') {
      // A named variant only one fleet serves is answered by that fleet.
      const inBlue = this.blue.variantNames.includes(target);
      const inGreen = this.green.variantNames.includes(target);
      if (inBlue !== inGreen) toGreen = inGreen;
    }
    if (toGreen) this.answered.green++;
    else this.answered.blue++;
    return (toGreen ? this.green : this.blue).invoke(encodedName, headers, body);
  }

  async flush(): Promise<void> {
    await Promise.all([this.blue.flush(), this.green.flush()]);
  }

  async retire(): Promise<void> {
    await Promise.all([this.blue.retire(), this.green.retire()]);
  }
}
