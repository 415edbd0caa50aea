/**
 * The smoke execution: one run of the deployed state machine on a staged test image, waited for
 * and printed, so a promotion ends with proof that image -> Lambdas -> endpoint -> decision works.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createSfnClient } from '../aws/clients.ts';
import { action, type PromotionAction } from './actions.ts';
import type { StepContext } from './context.ts';
import { waitUntilDone } from './progress.ts';
import { TEST_PREFIX } from './specs.ts';

export interface SmokeOutcome {
  action: PromotionAction;
  executionArn?: string;
  status?: string;
  /** The execution's output (a WorkflowResult) or its error and cause. */
  result?: unknown;
}

async function firstTestImage(ctx: StepContext): Promise<string> {
  const listed = await ctx.s3.send(
    new ListObjectsV2Command({ Bucket: ctx.target.bucket, Prefix: TEST_PREFIX, MaxKeys: 50 }),
  );
  const key = (listed.Contents ?? []).map((object) => object.Key ?? '').find((name) => name.endsWith('.png'));
  if (!key) throw new Error(`No staged test image under s3://${ctx.target.bucket}/${TEST_PREFIX}`);
  return key;
}

export async function runSmokeExecution(ctx: StepContext, stateMachineArn: string): Promise<SmokeOutcome> {
  const type = 'step functions execution' as const;
  if (!ctx.options.smokeTest) {
    const reason = ctx.options.smokeSkipReason ?? 'disabled by option';
    return { action: action('smoke', type, 'smoke execution', 'skip', reason) };
  }
  if (!ctx.apply) {
    return {
      action: action(
        'smoke',
        type,
        'smoke execution',
        'run',
        `one staged image from s3://${ctx.target.bucket}/${TEST_PREFIX}`,
      ),
    };
  }
  const key = await firstTestImage(ctx);
  const sfn = createSfnClient(ctx.target.config);
  const started = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      name: `smoke-${Date.now()}`,
      input: JSON.stringify({ s3_bucket: ctx.target.bucket, s3_key: key }),
    }),
  );
  const executionArn = started.executionArn ?? '';
  const done = await waitUntilDone({
    resource: 'smoke execution',
    describe: () => sfn.send(new DescribeExecutionCommand({ executionArn })),
    observe: (execution) => ({ status: execution.status ?? 'UNKNOWN' }),
    // A failed execution is a result to print, not a crash of the promotion.
    succeeded: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
    failed: [],
    intervalMs: Math.min(ctx.options.pollIntervalMs, 2_000),
    onProgress: ctx.onProgress,
  });
  const result =
    done.status === 'SUCCEEDED'
      ? JSON.parse(done.output ?? 'null')
      : { error: done.error, cause: done.cause };
  ctx.onProgress({
    type: 'info',
    message: `  s3://${ctx.target.bucket}/${key} -> ${JSON.stringify(result)}`,
  });
  return {
    action: action(
      'smoke',
      type,
      started.executionArn ?? 'smoke execution',
      'run',
      `${key}: ${done.status}`,
      executionArn,
    ),
    executionArn,
    status: done.status,
    result,
  };
}
