/**
 * The embedded tier's EventBridge default bus: rules with event patterns and targets, evaluated in
 * process with the same matcher and InputTransformer the kit's rule files are written for. As on
 * EventBridge, putting an event returns at once and delivery to each matching target happens
 * afterwards, independently per target; a target that fails is logged (EventBridge would retry it
 * and then count a FailedInvocation) and never affects the event's producer or other targets.
 */
import type { CompiledInputTransformer } from '../../events/input-transformer.ts';
import type { EventRule } from '../../events/rules.ts';

export interface BusTarget {
  id: string;
  arn: string;
  /** Without one, the target receives the whole event as JSON (EventBridge's default). */
  transformer?: CompiledInputTransformer;
  /** Receives the target input text and the event it came from. */
  deliver(input: string, event: Record<string, unknown>): Promise<void> | void;
}

export interface BusRule {
  name: string;
  arn: string;
  matches(event: unknown): boolean;
  targets: BusTarget[];
}

export interface BusStats {
  events: number;
  /** Target deliveries made (one event can match several rules and targets). */
  deliveries: number;
  failedDeliveries: number;
}

export interface LocalEventBusOptions {
  /** Where delivery failures are reported; default stderr. */
  log?: (message: string) => void;
}

export class LocalEventBus {
  readonly #rules = new Map<string, BusRule>();
  readonly #pending = new Set<Promise<void>>();
  readonly #log: (message: string) => void;
  readonly stats: BusStats = { events: 0, deliveries: 0, failedDeliveries: 0 };

  constructor(options: LocalEventBusOptions = {}) {
    this.#log = options.log ?? ((message) => console.error(message));
  }

  /** Adds the rule, or replaces the rule of that name (PutRule + PutTargets). */
  putRule(rule: BusRule): void {
    this.#rules.set(rule.name, rule);
  }

  removeRule(name: string): boolean {
    return this.#rules.delete(name);
  }

  get rules(): BusRule[] {
    return [...this.#rules.values()];
  }

  /** Matches the event now and schedules its deliveries; returns how many were scheduled. */
  putEvent(event: Record<string, unknown>): number {
    this.stats.events++;
    const ingestionTime = new Date();
    let scheduled = 0;
    for (const rule of this.#rules.values()) {
      if (!rule.matches(event)) continue;
      for (const target of rule.targets) {
        scheduled++;
        this.#deliver(rule, target, event, ingestionTime);
      }
    }
    return scheduled;
  }

  /** Resolves when every delivery scheduled so far (and any they caused) has finished. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #deliver(rule: BusRule, target: BusTarget, event: Record<string, unknown>, ingestionTime: Date): void {
    this.stats.deliveries++;
    const delivery = Promise.resolve()
      .then(() => {
        const input = target.transformer
          ? target.transformer.render(event, { ruleName: rule.name, ruleArn: rule.arn, ingestionTime })
          : JSON.stringify(event);
        return target.deliver(input, event);
      })
      .catch((error: unknown) => {
        this.stats.failedDeliveries++;
        this.#log(
          `event bus: rule ${rule.name}, target ${target.id} (${target.arn}): ${(error as Error).message}`,
        );
      })
      .finally(() => this.#pending.delete(delivery));
    this.#pending.add(delivery);
  }
}

/** A loaded rule file as a bus rule; `deliverTo` supplies the local implementation of each target ARN. */
export function busRuleOf(
  rule: EventRule,
  names: { name: string; arn: string },
  deliverTo: (arn: string) => BusTarget['deliver'],
): BusRule {
  return {
    ...names,
    matches: rule.matches,
    targets: rule.targets.map((target) => ({
      id: target.Id,
      arn: target.Arn,
      transformer: rule.transformers[target.Id] as CompiledInputTransformer,
      deliver: deliverTo(target.Arn),
    })),
  };
}
