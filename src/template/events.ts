/**
 * The event-driven part of the template: the failure topic and its policy (an email subscription
 * when NotifyEmail is set), EventBridge's role, the rules of eventrules/ with their targets and
 * InputTransformer, the alarms (stage, rollout, reviewed labels): deploy's own specs
 * (src/deploy/event-wiring.ts eventWiringSpecs). The bucket's EventBridge notifications are a
 * property of the bucket (template.ts).
 */
import type { KitConfig } from '../config.ts';
import type { AlarmSettings } from '../deploy/alarms.ts';
import { eventWiringSpecs } from '../deploy/event-wiring.ts';
import type { arns } from '../workflow/names.ts';
import { TEMPLATE_SCOPE } from './intrinsics.ts';
import { HAS_NOTIFY_EMAIL, NOTIFY_EMAIL } from './parameters.ts';
import type { ResourceSet } from './resources.ts';
import type { WorkflowArns } from './workflow.ts';

export function addEventWiring(
  set: ResourceSet,
  input: {
    config: KitConfig;
    arn: ReturnType<typeof arns>;
    workflow: WorkflowArns;
    alarms?: Partial<AlarmSettings>;
  },
): { topicArn: string } {
  const specs = eventWiringSpecs({
    config: input.config,
    accountId: TEMPLATE_SCOPE.accountId,
    arn: input.arn,
    stateMachineArn: input.workflow.stateMachine,
    intakeStateMachineArn: input.workflow.intakeStateMachine,
    retrainingStateMachineArn: input.workflow.retrainingStateMachine,
    ...(input.alarms ? { alarms: input.alarms } : {}),
  });
  const topicId = set.topic(specs.topic);
  set.add(`${topicId}EmailSubscription`, {
    Type: 'AWS::SNS::Subscription',
    Condition: HAS_NOTIFY_EMAIL,
    Properties: { TopicArn: specs.topic.arn, Protocol: 'email', Endpoint: { Ref: NOTIFY_EMAIL } },
  });
  if (specs.eventsRole) set.role(specs.eventsRole);
  for (const { id: _id, ...rule } of specs.ruleSpecs(specs.eventsRole?.arn)) set.rule(rule);
  for (const alarm of specs.alarms) set.alarm(alarm);
  return { topicArn: specs.topic.arn };
}
