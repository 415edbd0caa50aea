/**
 * The retraining rules (eventrules/retrain-on-*.json): a CloudWatch alarm state change to ALARM of
 * the stage's drift alarm or of its reviewed-labels alarm starts the retraining state machine with
 * the trigger named in its input; other alarms, other states, and the other rules' events do not.
 * A deployment without a retraining state machine gets the other rules only.
 */
import { describe, expect, it } from 'vitest';
import { parseTargetInput } from '../../src/events/input-transformer.ts';
import { type EventRule, eventRuleSubstitutionsFor, loadEventRules } from '../../src/events/rules.ts';
import { eventResourceNames, retrainingNames } from '../../src/workflow/names.ts';

const base = {
  bucket: 'scones-images',
  intakePrefix: 'incoming/',
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:scones-dev-image-classification',
  intakeStateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:scones-dev-image-intake',
  notificationTopicArn: 'arn:aws:sns:us-east-1:000000000000:scones-dev-execution-failures',
};
const retrainingArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:scones-dev-model-retraining';
const driftAlarm = eventResourceNames('dev').alarms.lowConfidenceShare;
const labelsAlarm = retrainingNames('dev').reviewedLabelsAlarm;
const rules = loadEventRules(
  eventRuleSubstitutionsFor({
    ...base,
    retraining: {
      stateMachineArn: retrainingArn,
      driftAlarmName: driftAlarm,
      reviewedLabelsAlarmName: labelsAlarm,
    },
  }),
);
const rule = (id: string) => rules.find((candidate) => candidate.id === id) as EventRule;
const context = { ruleName: 'r', ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/r' };

/** CloudWatch's state-change event, as the CloudWatch user guide documents it. */
const alarmEvent = (alarmName: string, value: string, previous = 'OK') => ({
  version: '0',
  id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: '000000000000',
  time: '2026-12-07T08:00:00Z',
  region: 'us-east-1',
  resources: [`arn:aws:cloudwatch:us-east-1:000000000000:alarm:${alarmName}`],
  detail: {
    alarmName,
    state: { value, reason: 'Threshold Crossed', timestamp: '2026-12-07T08:00:00.000+0000' },
    previousState: { value: previous, reason: '', timestamp: '2026-12-07T07:00:00.000+0000' },
    configuration: { metrics: [] },
  },
});

const inputOf = (id: string, event: Record<string, unknown>) => {
  const loaded = rule(id);
  expect(loaded.targets.map((target) => target.Arn)).toEqual([retrainingArn]);
  return parseTargetInput(Object.values(loaded.transformers)[0]?.render(event, context) ?? '');
};

describe('retraining rules', () => {
  it('load and validate beside the other rules', () => {
    expect(rules.map((r) => r.id).sort()).toEqual([
      'execution-failed',
      'image-uploaded',
      'retrain-on-drift-alarm',
      'retrain-on-reviewed-labels',
    ]);
  });

  it('the drift alarm going to ALARM starts a retraining named after it', () => {
    const event = alarmEvent(driftAlarm, 'ALARM');
    expect(rule('retrain-on-drift-alarm').matches(event)).toBe(true);
    expect(inputOf('retrain-on-drift-alarm', event)).toEqual({ trigger: 'alarm', alarm: driftAlarm });
    expect(rule('retrain-on-reviewed-labels').matches(event)).toBe(false);
  });

  it('the reviewed-labels alarm going to ALARM starts a retraining for the labels', () => {
    const event = alarmEvent(labelsAlarm, 'ALARM');
    expect(rule('retrain-on-reviewed-labels').matches(event)).toBe(true);
    expect(inputOf('retrain-on-reviewed-labels', event)).toEqual({ trigger: 'reviewed-labels' });
    expect(rule('retrain-on-drift-alarm').matches(event)).toBe(false);
  });

  it('ignores a return to OK, INSUFFICIENT_DATA, another alarm and other sources', () => {
    for (const id of ['retrain-on-drift-alarm', 'retrain-on-reviewed-labels']) {
      const name = id === 'retrain-on-drift-alarm' ? driftAlarm : labelsAlarm;
      expect(rule(id).matches(alarmEvent(name, 'OK', 'ALARM'))).toBe(false);
      expect(rule(id).matches(alarmEvent(name, 'INSUFFICIENT_DATA'))).toBe(false);
      expect(rule(id).matches(alarmEvent('scones-dev-classification-failures', 'ALARM'))).toBe(false);
      expect(rule(id).matches({ ...alarmEvent(name, 'ALARM'), source: 'aws.states' })).toBe(false);
    }
  });

  it('without a retraining state machine, the rules that target it are left out (the others load)', () => {
    const without = loadEventRules(eventRuleSubstitutionsFor(base));
    expect(without.map((r) => r.id).sort()).toEqual(['execution-failed', 'image-uploaded']);
    expect(() => loadEventRules({ ...eventRuleSubstitutionsFor(base), Typo: 'x' })).toThrow(/Typo/);
  });
});
