/** Shapes of the embedded events: what the trigger is given and what it hands back. */
import type { KitConfig } from '../../config.ts';
import type { ExecutionRecord } from '../../workflow/execution.ts';
import type { ObjectNotifications } from '../s3/index.ts';
import type { EmbeddedEngine, StarterStats } from '../stepfunctions/index.ts';
import type { LocalEventBus } from './event-bus.ts';
import type { NotificationSink } from './notification-sink.ts';

export interface TriggerOptions {
  /** Key prefix of uploads that start executions; default the config's intake prefix. */
  intakePrefix?: string;
  /** Also POST every failure notification to this URL. */
  notifyUrl?: string;
  /** Executions started by events that run at once; more wait their turn (default 32). */
  maxConcurrentExecutions?: number;
  /** Folder of rule files; default `eventrules/`. */
  rulesDirectory?: string;
  /** Where delivery and webhook failures are reported; default stderr. */
  log?: (message: string) => void;
}

export interface TriggerDependencies {
  config: KitConfig;
  /** The classification state machine: its failures are notified, its executions are the outcomes. */
  engine: EmbeddedEngine;
  /** The uploads' target, registered with the classification (createIntakeEngine). */
  intake: EmbeddedEngine;
  objectEvents: ObjectNotifications;
  dataDir: string;
  /**
   * The retraining state machine (built on first use): the target of the rules that start it
   * (eventrules/retrain-on-*.json). Without it those rules are left out.
   */
  retraining?: () => Promise<EmbeddedEngine>;
  /**
   * Where the kit writes objects itself (review items, captured traffic). The rule's pattern keeps
   * them from starting executions only if none lies under the intake prefix: checked at start.
   */
  kitWrites?: { bucket: string; prefix: string }[];
}

export interface EmbeddedTrigger {
  bus: LocalEventBus;
  notifications: NotificationSink;
  /** The topic failure notifications go to (its file: notifications.fileOf(topicArn)). */
  topicArn: string;
  stats: StarterStats;
  /** Called with the finished record of every classification an event started (via the intake). */
  onOutcome(listener: (record: ExecutionRecord) => void): () => void;
  /** Resolves when every event so far is delivered, its executions closed, its notifications written. */
  idle(): Promise<void>;
  /**
   * Reads the rule files again (`--watch`); returns the rule names. A file that does not load
   * throws its EventRuleError and the rules in use stay as they were.
   */
  reloadRules(): string[];
  /** Stops listening to the S3 and the engine, then waits for what is in flight (idle). */
  stop(): Promise<void>;
}
