/**
 * An endpoint in the middle of a blue/green deployment: the fleet it served (blue) and the new one
 * (green) both loaded under one name, each invocation answered by one fleet's variants as it would
 * answer alone (its weights, its `x-Amzn-Invoked-Production-Variant`). Green takes `greenShare` of
 * the invocations since the share was last moved, never more at any moment (an invocation goes to
 * green only while green's count stays within the share of the count so far): SageMaker shifts a
 * canary by capacity, so its share is what the fleet can take, not a coin's luck. Moving the share
 * is one assignment: no request is dropped.
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
  #greenShare = 0;
  /** Invocations since the share was last moved, and green's among them. */
  #sinceShift = { all: 0, green: 0 };
  /** Invocations each fleet answered since green was staged (the rollout's own count). */
  readonly answered = { blue: 0, green: 0 };

  constructor(blue: ServedFleet, green: ServedFleet) {
    this.blue = blue;
    this.green = green;
  }

  /** 0..1: the share of invocations green answers. */
  get greenShare(): number {
    return this.#greenShare;
  }

  set greenShare(share: number) {
    this.#greenShare = share;
    this.#sinceShift = { all: 0, green: 0 };
  }

  /** Green's turn: taking this one keeps green within its share of the invocations so far. */
  #greensTurn(): boolean {
    const since = this.#sinceShift;
    since.all++;
    if (since.green + 1 > this.#greenShare * since.all + 1e-9) return false;
    since.green++;
    return true;
  }

  get variantNames(): readonly string[] {
    return [...new Set([...this.blue.variantNames, ...this.green.variantNames])];
  }

  invoke(encodedName: string, headers: IncomingHttpHeaders, body: Buffer): Promise<InvocationAnswer> {
    const target = headers['x-amzn-sagemaker-target-variant'];
    // A named variant only one fleet serves is answered by that fleet; any other invocation takes turns.
    const inBlue = typeof target === 'string' && this.blue.variantNames.includes(target);
    const inGreen = typeof target === 'string' && this.green.variantNames.includes(target);
    const toGreen = inBlue !== inGreen ? inGreen : this.#greenShare > 0 && this.#greensTurn();
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
