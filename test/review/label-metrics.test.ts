/**
 * Each ground truth label the review writes is counted once in CloudWatch (`ReviewedLabels`, what
 * the reviewed-labels alarm sums to start a retraining): a retried decision or a dismissal counts
 * nothing, and CloudWatch failing never fails the decision.
 */
import type { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeItem, completeClosing } from '../../src/review/decisions.ts';
import { reviewedLabelsCounter } from '../../src/review/label-metrics.ts';
import { reviewedLabelsAlarmRequest, reviewedLabelsSettings } from '../../src/workflow/reviewed-labels.ts';
import { type LocalReviewBucket, putItem, startLocalReviewBucket } from './fixtures.ts';

let store: LocalReviewBucket;
beforeAll(async () => {
  store = await startLocalReviewBucket();
});
afterAll(async () => store?.stop());

/** A CloudWatch client double: records PutMetricData inputs, or fails. */
function cloudwatch(fail = false) {
  const sent: PutMetricDataCommand['input'][] = [];
  const client = {
    async send(command: PutMetricDataCommand) {
      if (fail) throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' });
      sent.push(command.input);
      return {};
    },
  } as unknown as CloudWatchClient;
  return { client, sent };
}

describe('reviewed labels in CloudWatch', () => {
  it('counts one ReviewedLabels datum per ground truth written, none for a completed closing run again or a dismissal', async () => {
    const { client, sent } = cloudwatch();
    const counted = { ...store, onGroundTruthWritten: reviewedLabelsCounter(client, 'dev', () => undefined) };
    await putItem(store, 'm-1');
    await putItem(store, 'm-2');
    await putItem(store, 'm-3');
    const first = await closeItem(counted, 'm-1', { label: 'bicycle' }, 'ana');
    // Completing the closing again (a retry, a restart between steps) finds the ground truth there.
    await completeClosing(counted, first);
    await closeItem(counted, 'm-2', { label: 'neither' }, 'ana');
    await closeItem(counted, 'm-3', { dismiss: 'image missing' }, 'ana');
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({
      Namespace: 'Scones',
      MetricData: [
        {
          MetricName: 'ReviewedLabels',
          Value: 1,
          Unit: 'Count',
          Dimensions: [
            { Name: 'service', Value: 'scones' },
            { Name: 'stage', Value: 'dev' },
          ],
        },
      ],
    });
    // The alarm watches exactly this metric and these dimensions.
    const alarm = reviewedLabelsAlarmRequest('dev');
    expect([alarm.Namespace, alarm.MetricName, alarm.Dimensions]).toEqual([
      sent[0]?.Namespace,
      sent[0]?.MetricData?.[0]?.MetricName,
      sent[0]?.MetricData?.[0]?.Dimensions,
    ]);
  });

  it('a CloudWatch failure is logged and the label still written', async () => {
    const { client } = cloudwatch(true);
    const logged: string[] = [];
    const counted = {
      ...store,
      onGroundTruthWritten: reviewedLabelsCounter(client, 'dev', (m) => logged.push(m)),
    };
    await putItem(store, 'm-4');
    const closed = await closeItem(counted, 'm-4', { label: 'motorcycle' }, 'ana');
    expect(closed.ground_truth_key).toMatch(/^ground_truth\//);
    expect(logged).toEqual([expect.stringMatching(/written but not counted in CloudWatch \(TimeoutError: /)]);
  });

  it('N and the period are configurable, and bad values are named', () => {
    expect(reviewedLabelsSettings({})).toEqual({ threshold: 50, periodSeconds: 3600 });
    expect(
      reviewedLabelsSettings({ SCONES_RETRAIN_LABELS: '20', SCONES_RETRAIN_LABELS_PERIOD: '86400' }),
    ).toEqual({
      threshold: 20,
      periodSeconds: 86_400,
    });
    expect(() => reviewedLabelsSettings({ SCONES_RETRAIN_LABELS: '0' })).toThrow(
      /SCONES_RETRAIN_LABELS must be/,
    );
    expect(() => reviewedLabelsSettings({ SCONES_RETRAIN_LABELS_PERIOD: '90' })).toThrow(/multiple of 60/);
  });
});
