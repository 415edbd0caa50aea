/**
 * What the local CloudWatch's alarm state changes set off, wired by the composition (the services
 * do not know each other): each change is put on the local bus as CloudWatch's "CloudWatch Alarm
 * State Change" event (so rules match `detail.alarmName` and `detail.state.value`), and, while
 * the alarm's actions are enabled, CloudWatch's JSON message is published to each SNS topic of
 * the new state's actions through the local SNS (the notification sink: one JSON Lines file per
 * topic). Actions that are not SNS topics (Auto Scaling, EC2, Lambda, Systems Manager) are not run
 * locally: each is logged, once per alarm and action.
 */
import { alarmStateChangeEvent } from '../events/alarm-events.ts';
import {
  actionsFor,
  alarmNotificationMessage,
  alarmNotificationSubject,
  isTopicArn,
} from '../events/alarm-notification.ts';
import type { CloudWatchService } from './cloudwatch/index.ts';
import type { LocalEventBus, NotificationSink } from './events/index.ts';

export interface AlarmTargets {
  /** The local SNS: topics' messages. */
  notifications: Pick<NotificationSink, 'publish'>;
  /** The local bus, when the tier runs one (event-driven mode). */
  bus?: Pick<LocalEventBus, 'putEvent'>;
  /** Where failed publishes and actions not run are reported; default stderr. */
  log?: (message: string) => void;
}

export interface AlarmRouting {
  /** Stops listening, then waits for the messages being written. */
  stop(): Promise<void>;
}

export function routeAlarmChanges(
  cloudwatch: Pick<CloudWatchService, 'onStateChange'>,
  targets: AlarmTargets,
): AlarmRouting {
  const log = targets.log ?? ((message: string) => console.error(message));
  const pending = new Set<Promise<void>>();
  const notRun = new Set<string>();
  const unsubscribe = cloudwatch.onStateChange((change) => {
    targets.bus?.putEvent(alarmStateChangeEvent(change) as unknown as Record<string, unknown>);
    const actions = actionsFor(change);
    if (actions.length === 0) return;
    const message = JSON.stringify(alarmNotificationMessage(change));
    const subject = alarmNotificationSubject(change);
    for (const arn of actions) {
      if (!isTopicArn(arn)) {
        const key = `${change.alarmName}\u0000${arn}`;
        if (!notRun.has(key))
          log(`CloudWatch: alarm ${change.alarmName}: action ${arn} is not run locally (SNS topics are)`);
        notRun.add(key);
        continue;
      }
      const publish = targets.notifications
        .publish(arn, message, subject)
        .catch((error: unknown) =>
          log(
            `CloudWatch: alarm ${change.alarmName}: publishing to ${arn} failed: ${(error as Error).message}`,
          ),
        )
        .finally(() => pending.delete(publish));
      pending.add(publish);
    }
  });
  return {
    async stop() {
      unsubscribe();
      await Promise.allSettled([...pending]);
    },
  };
}
