/**
 * The smoke execution: one run of the deployed state machine on a staged test image, waited for
 * and printed, so a promotion ends with proof that image -> Lambdas -> endpoint -> decision works.
 * An execution that does not succeed is reported with its Error, Cause, the state that failed and
 * its console link; `promote` then fails (see smoke-failure.ts). One that has not ended after
 * the `smokeTimeoutMs` option (default 10 minutes) is stopped (StopExecution), so nothing keeps running and billing, and reported
 * the same way.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  paginateGetExecutionHistory,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { createSfnClient } from '../../aws/clients.ts';
import { action } from '../actions.ts';
import type { StepContext } from '../context.ts';
import { consoleLink } from '../links.ts';
import { WaitFailedError, waitUntilDone } from '../progress.ts';
import { TEST_PREFIX } from '../specs.ts';
import type { SmokeFailure, SmokeOutcome } from './types.ts';

/** Terminal statuses of a Standard execution (DescribeExecution). */
const ENDED = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

async function firstTestImage(ctx: StepContext): Promise<string> {
  const listed = await ctx.s3.send(
    new ListObjectsV2Command({ Bucket: ctx.target.bucket, Prefix: TEST_PREFIX, MaxKeys: 50 }),
  );
  const key = (listed.Contents ?? []).map((object) => object.Key ?? '').find((name) => name.endsWith('.png'));
  if (!key) throw new Error(`No staged test image under s3://${ctx.target.bucket}/${TEST_PREFIX}`);
  return key;
}

/**
 * From the execution history (all pages; a smoke run has a few dozen events): the execution's own
 * Error/Cause (ExecutionFailed, -TimedOut, -Aborted details) and the Task state whose failure
 * ended it (the last one that failed). DescribeExecution also carries error and cause for FAILED;
 * the history is where TIMED_OUT and ABORTED keep theirs, and where the failed state is named.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
 */
async function failureFromHistory(
  sfn: SFNClient,
  executionArn: string,
): Promise<Pick<SmokeFailure, 'error' | 'cause' | 'failedState'>> {
  const found: Pick<SmokeFailure, 'error' | 'cause' | 'failedState'> = {};
  let entered: string | undefined;
  for await (const page of paginateGetExecutionHistory({ client: sfn, pageSize: 1000 }, { executionArn })) {
    for (const event of page.events ?? []) {
      if (event.type === 'TaskStateEntered') entered = event.stateEnteredEventDetails?.name;
      const taskFailed =
        event.taskFailedEventDetails ??
        event.taskTimedOutEventDetails ??
        event.lambdaFunctionFailedEventDetails ??
        event.lambdaFunctionTimedOutEventDetails;
      if (taskFailed && entered) found.failedState = entered;
      const ended =
        event.executionFailedEventDetails ??
        event.executionTimedOutEventDetails ??
        event.executionAbortedEventDetails;
      if (ended) {
        found.error = ended.error;
        found.cause = ended.cause;
      }
    }
  }
  return found;
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
  const done = await waitForSmoke(sfn, executionArn, ctx);
  const status = done.status ?? 'UNKNOWN';
  const executionAction = action(
    'smoke',
    type,
    executionArn || 'smoke execution',
    'run',
    `${key}: ${status}`,
    executionArn,
  );
  let failure: SmokeFailure | undefined;
  if (status !== 'SUCCEEDED') {
    const history = await failureFromHistory(sfn, executionArn);
    failure = {
      status,
      error: done.error ?? history.error,
      cause: done.cause ?? history.cause,
      ...(history.failedState ? { failedState: history.failedState } : {}),
      executionArn,
      consoleUrl: consoleLink(ctx.target, executionAction),
    };
  }
  const result = failure ? { error: failure.error, cause: failure.cause } : JSON.parse(done.output ?? 'null');
  ctx.onProgress({
    type: 'info',
    message: `  s3://${ctx.target.bucket}/${key} -> ${JSON.stringify(result)}`,
  });
  return { action: executionAction, executionArn, status, result, ...(failure ? { failure } : {}) };
}

/** Waits for the execution to end; stops it past smokeTimeoutMs and answers its ABORTED description. */
async function waitForSmoke(sfn: SFNClient, executionArn: string, ctx: StepContext) {
  const describe = () => sfn.send(new DescribeExecutionCommand({ executionArn }));
  try {
    return await waitUntilDone({
      resource: 'smoke execution',
      describe,
      observe: (execution) => ({ status: execution.status ?? 'UNKNOWN' }),
      // Every end is waited for here; one that is not SUCCEEDED is reported, then fails promote.
      succeeded: ENDED,
      failed: [],
      intervalMs: Math.min(ctx.options.pollIntervalMs, 2_000),
      timeoutMs: ctx.options.smokeTimeoutMs,
      onProgress: ctx.onProgress,
    });
  } catch (error) {
    if (!(error instanceof WaitFailedError)) throw error;
    const cause = `${error.message}; stopped by scones promote`;
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'SmokeTimeout', cause }));
    return { ...(await describe()), error: 'SmokeTimeout', cause };
  }
}
