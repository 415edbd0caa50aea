/**
 * Counts each ground truth label a reviewer writes in the target's CloudWatch: one `ReviewedLabels`
 * datum (src/workflow/reviewed-labels.ts), which the stage's reviewed-labels alarm sums; its ALARM
 * starts a retraining (eventrules/retrain-on-reviewed-labels.json). A failed PutMetricData is
 * logged, never the reviewer's error: the label is in S3 already, and the retraining reads S3.
 */
import { type CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { reviewedLabelsMetricData } from '../workflow/reviewed-labels.ts';

export function reviewedLabelsCounter(
  cloudwatch: CloudWatchClient,
  stage: string,
  log: (message: string) => void,
): () => Promise<void> {
  return async () => {
    try {
      await cloudwatch.send(new PutMetricDataCommand(reviewedLabelsMetricData(stage, 1)));
    } catch (error) {
      const err = error as Error;
      log(`review: a label was written but not counted in CloudWatch (${err.name}: ${err.message})`);
    }
  };
}
