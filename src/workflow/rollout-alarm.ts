/**
 * The alarm a retrained candidate's canary is rolled back on: the stage endpoint's
 * `Invocation5XXErrors` (SageMaker's "number of InvokeEndpoint requests where the model returned a
 * 5xx HTTP response code", namespace AWS/SageMaker, per EndpointName and VariantName), any in a
 * minute. Blue and green answer under the same variant name during a blue/green update, so this one
 * series sees the candidate's errors while it bakes. No traffic is not an error (notBreaching), so
 * a quiet endpoint keeps the alarm OK and the canary goes on.
 *
 * One definition for every tier: the embedded stack puts it in its local CloudWatch, deploy and
 * promote put it on AWS, and the retraining state machine names it in UpdateEndpoint's
 * AutoRollbackConfiguration (`${RolloutAlarmName}`).
 */
import { retrainingNames } from './names.ts';

/** The variant the kit's endpoint configs serve under (the retraining's candidate's too). */
export const SERVING_VARIANT = 'AllTraffic';

/** PutMetricAlarm's request for the stage's rollout alarm. */
export interface RolloutAlarmRequest {
  AlarmName: string;
  AlarmDescription: string;
  ActionsEnabled: boolean;
  AlarmActions: string[];
  Namespace: 'AWS/SageMaker';
  MetricName: 'Invocation5XXErrors';
  Dimensions: { Name: string; Value: string }[];
  Statistic: 'Sum';
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: number;
  ComparisonOperator: 'GreaterThanThreshold';
  TreatMissingData: 'notBreaching';
}

export function rolloutAlarmRequest(input: {
  stage: string;
  endpointName: string;
  /** Where a state change is published (the stage's SNS topic); none: no action. */
  notificationTopicArn?: string;
}): RolloutAlarmRequest {
  return {
    AlarmName: retrainingNames(input.stage).rolloutAlarm,
    AlarmDescription: `Any 5xx answered by endpoint ${input.endpointName} in a minute: a blue/green update of it (a retrained candidate's canary) rolls back while this is in ALARM.`,
    ActionsEnabled: input.notificationTopicArn !== undefined,
    AlarmActions: input.notificationTopicArn ? [input.notificationTopicArn] : [],
    Namespace: 'AWS/SageMaker',
    MetricName: 'Invocation5XXErrors',
    Dimensions: [
      { Name: 'EndpointName', Value: input.endpointName },
      { Name: 'VariantName', Value: SERVING_VARIANT },
    ],
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
  };
}
