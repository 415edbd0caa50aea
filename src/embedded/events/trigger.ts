/**
 * The embedded tier's event-driven wiring, the local counterpart of S3 → EventBridge → Step
 * Functions and Step Functions → EventBridge → SNS:
 * - every object change of the local S3 becomes S3's EventBridge event on the local bus;
 * - every execution status change of every state machine becomes Step Functions' status-change
 *   event (the failure rule's pattern keeps the classification's);
 * - the kit's rule files (`eventrules/`) are the bus's rules; their target ARNs resolve to the
 *   registered state machines (StartExecution under a generated name, as EventBridge starts them)
 *   and to the notification sink (the SNS topic).
 * Which uploads start executions is decided by the rule's pattern alone (bucket and intake prefix),
 * never by special cases here. Uploads start the intake state machine, which names the
 * classification from the object (as on AWS), so a duplicated event asks for a name already used
 * and nothing is classified twice.
 */
import path from 'node:path';
import { ConfigError } from '../../config.ts';
import { executionStatusChangeEvent } from '../../events/execution-events.ts';
import {
  EVENT_RULES_DIR,
  eventResourceNames,
  eventRuleArn,
  eventRuleSubstitutionsFor,
  loadEventRules,
} from '../../events/rules.ts';
import { type EventScope, s3ObjectEvent } from '../../events/s3-events.ts';
import { retrainingNames } from '../../workflow/names.ts';
import { ExecutionStarter } from '../stepfunctions/index.ts';
import { type BusTarget, busRuleOf, LocalEventBus } from './event-bus.ts';
import { NotificationSink } from './notification-sink.ts';
import type { EmbeddedTrigger, TriggerDependencies, TriggerOptions } from './types.ts';

export function startEmbeddedTrigger(
  deps: TriggerDependencies,
  options: TriggerOptions = {},
): EmbeddedTrigger {
  const { config, engine, intake } = deps;
  const { stateMachines } = engine;
  if (stateMachines.get(intake.stateMachineArn) !== intake)
    throw new Error(
      `the intake ${intake.stateMachineArn} is not registered beside ${engine.stateMachineArn}`,
    );
  const log = options.log ?? ((message: string) => console.error(message));
  const scope = scopeOf(engine.stateMachineArn);
  const intakePrefix = options.intakePrefix ?? config.intakePrefix;
  assertIntakeApart(config.bucket, intakePrefix, deps.kitWrites ?? []);
  const names = eventResourceNames(config.stage);
  const topicArn = `arn:${scope.partition}:sns:${scope.region}:${scope.accountId}:${names.notificationTopic}`;
  // The retraining state machine's ARN is known before it is built (on its first event, without a stack).
  const retrainingArn = `arn:${scope.partition}:states:${scope.region}:${scope.accountId}:stateMachine:${retrainingNames(config.stage).stateMachine}`;
  const substitutions = eventRuleSubstitutionsFor({
    bucket: config.bucket,
    intakePrefix,
    stateMachineArn: engine.stateMachineArn,
    intakeStateMachineArn: intake.stateMachineArn,
    notificationTopicArn: topicArn,
    ...(deps.retraining
      ? {
          retraining: {
            stateMachineArn: retrainingArn,
            driftAlarmName: names.alarms.lowConfidenceShare,
            reviewedLabelsAlarmName: retrainingNames(config.stage).reviewedLabelsAlarm,
          },
        }
      : {}),
  });
  const rulesDirectory = options.rulesDirectory ?? EVENT_RULES_DIR;
  const bus = new LocalEventBus({ log });
  const notifications = new NotificationSink({
    directory: path.join(deps.dataDir, 'notifications'),
    ...(options.notifyUrl ? { webhookUrl: options.notifyUrl } : {}),
    log,
  });
  const starter = new ExecutionStarter(stateMachines, options.maxConcurrentExecutions ?? 32, log);
  // One retraining at a time: a second alarm while one runs waits its turn (their endpoint updates
  // would conflict); its outcomes are not the classifications `onOutcome` reports.
  const retrainings = new ExecutionStarter(stateMachines, 1, log);

  const deliverTo = (arn: string): BusTarget['deliver'] => {
    if (arn === retrainingArn && deps.retraining) {
      const build = deps.retraining;
      return async (input) => {
        const built = await build();
        if (built.stateMachineArn !== retrainingArn)
          throw new Error(
            `the retraining state machine is ${built.stateMachineArn}, the rules target ${retrainingArn}`,
          );
        await retrainings.start(arn, input);
      };
    }
    if (stateMachines.get(arn)) return (input) => starter.start(arn, input);
    if (arn === topicArn) return (input) => notifications.publish(topicArn, input);
    throw new Error(`event rules: target ${arn} has no embedded implementation`);
  };
  /** Loads and checks every rule file first, so a broken edit leaves the rules in place. */
  const loadRules = () => {
    const bound = loadEventRules(substitutions, rulesDirectory).map((rule) => {
      const name = names.rule(rule.id);
      return busRuleOf(rule, { name, arn: eventRuleArn(scope, name) }, deliverTo);
    });
    for (const rule of bus.rules) {
      if (!bound.some((candidate) => candidate.name === rule.name)) bus.removeRule(rule.name);
    }
    for (const rule of bound) bus.putRule(rule);
    return bound.map((rule) => rule.name);
  };
  loadRules();

  const unsubscribeObjects = deps.objectEvents.subscribe((change) => {
    bus.putEvent(s3ObjectEvent(change, scope) as unknown as Record<string, unknown>);
  });
  const unsubscribeExecutions = stateMachines.subscribe((snapshot) => {
    bus.putEvent(executionStatusChangeEvent(snapshot, scope) as unknown as Record<string, unknown>);
  });

  const idle = async () => {
    // Deliveries start executions, executions publish status events, events deliver notifications.
    do {
      await bus.idle();
      await starter.idle();
      await retrainings.idle();
      await stateMachines.idle();
    } while (starter.busy || retrainings.busy || stateMachines.runningCount > 0);
    await bus.idle();
    await notifications.idle();
  };
  return {
    bus,
    notifications,
    topicArn,
    stats: starter.stats,
    onOutcome: (listener) => starter.onOutcome(listener),
    idle,
    reloadRules: loadRules,
    async stop() {
      unsubscribeObjects();
      await idle();
      unsubscribeExecutions();
      starter.close();
      retrainings.close();
    },
  };
}

function assertIntakeApart(
  bucket: string,
  intakePrefix: string,
  kitWrites: { bucket: string; prefix: string }[],
) {
  if (!intakePrefix)
    throw new ConfigError('the intake prefix must not be empty: every object would start an execution');
  for (const write of kitWrites) {
    if (
      write.bucket === bucket &&
      // An empty prefix says nothing about the keys written (capture adds the endpoint name).
      (write.prefix.startsWith(intakePrefix) ||
        (write.prefix !== '' && intakePrefix.startsWith(write.prefix)))
    ) {
      throw new ConfigError(
        `the kit writes to s3://${write.bucket}/${write.prefix}, which overlaps the intake prefix "${intakePrefix}": ` +
          'its own objects would start executions; choose another prefix',
      );
    }
  }
}

/** Partition, region and account of the engine's state machine ARN, for the events' envelopes. */
function scopeOf(stateMachineArn: string): Required<EventScope> {
  const [, partition, , region, accountId] = stateMachineArn.split(':');
  if (!partition || !region || !accountId) throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  return { partition, region, accountId };
}
