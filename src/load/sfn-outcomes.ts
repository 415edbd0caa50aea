/**
 * Outcomes through the Step Functions API (emulator, compose, AWS, a running `scones up`): the
 * executions of the classification state machine (ListExecutions), each closed one read once
 * (DescribeExecution) and matched to an uploaded key by its input's `s3_key`. On AWS the event
 * rule's target starts executions under generated names, so the input is what ties an execution
 * to an upload.
 *
 * ListExecutions returns "the most recent execution first" and is "eventually consistent"
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html). Each
 * poll pages down only to a floor: the start of the oldest execution still running at the last
 * poll (everything older was closed and read), less a margin for executions listed late. AWS
 * throttles ListExecutions and DescribeExecution per account (Step Functions quotas), so polls
 * back off while nothing changes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { parseExecutionJson } from '../workflow/execution-json.ts';
import { type Outcome, type OutcomeSource, outcomeOf } from './outcomes.ts';

export interface SfnOutcomeOptions {
  /** First poll interval; it doubles up to maxPollMs while a poll finds nothing new. Default 250. */
  pollMs?: number;
  maxPollMs?: number;
  /** DescribeExecution calls at once. Default 8. */
  describeConcurrency?: number;
  /** How far before the floor (and the run's start) a poll still looks. Default 10 s. */
  marginMs?: number;
  /** Told why a poll failed (once per distinct message); the loop goes on. Default: nothing. */
  onError?: (message: string) => void;
}

const OPEN = new Set(['RUNNING', 'PENDING_REDRIVE']);

export function sfnOutcomes(
  sfn: SFNClient,
  stateMachineArn: string,
  bucket: string,
  options: SfnOutcomeOptions = {},
): OutcomeSource {
  const { pollMs = 250, maxPollMs = 2000, describeConcurrency = 8, marginMs = 10_000 } = options;
  const told = new Set<string>();
  const tell = (error: unknown) => {
    const message = `${(error as Error).name}: ${(error as Error).message}`;
    if (told.has(message)) return;
    told.add(message);
    options.onError?.(`Step Functions API: ${message}`);
  };
  const described = new Set<string>();
  let report: (outcome: Outcome) => void = () => {};
  let prefix = '';
  let sinceMs = 0;
  let floorMs = 0;
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;
  let polling: Promise<void> = Promise.resolve();

  const describe = async (executionArn: string) => {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    // Listed closed but read running (eventual consistency): read again on a later poll.
    if (OPEN.has(execution.status ?? '')) return;
    described.add(executionArn);
    const input = parseExecutionJson(execution.input) as
      | { s3_bucket?: unknown; s3_key?: unknown }
      | undefined;
    if (input?.s3_bucket !== bucket || typeof input.s3_key !== 'string' || !input.s3_key.startsWith(prefix))
      return;
    report(
      outcomeOf({
        key: input.s3_key,
        name: execution.name ?? executionArn,
        status: execution.status ?? 'FAILED',
        stopMs: execution.stopDate?.getTime() ?? Date.now(),
        output: parseExecutionJson(execution.output),
        error: execution.error,
        cause: execution.cause,
      }),
    );
  };

  /** One pass from the newest execution down to `from`; returns how many closed ones were new. */
  const poll = async (from: number): Promise<number> => {
    const toDescribe: string[] = [];
    let oldestOpen = Number.POSITIVE_INFINITY;
    let newest = from;
    let nextToken: string | undefined;
    pages: do {
      const page = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }),
      );
      for (const item of page.executions ?? []) {
        const start = item.startDate?.getTime() ?? 0;
        if (start < from) break pages;
        newest = Math.max(newest, start);
        if (!item.executionArn) continue;
        if (OPEN.has(item.status ?? '')) oldestOpen = Math.min(oldestOpen, start);
        else if (!described.has(item.executionArn)) toDescribe.push(item.executionArn);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    let failures = 0;
    let next = 0;
    const worker = async () => {
      while (next < toDescribe.length) {
        const arn = toDescribe[next++] as string;
        // A throttled or failed read is tried again on the next poll (the floor stays).
        await describe(arn).catch((error: unknown) => {
          failures++;
          tell(error);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(describeConcurrency, toDescribe.length) }, worker));
    if (failures === 0) {
      const settledBefore = Number.isFinite(oldestOpen) ? oldestOpen : newest;
      floorMs = Math.max(floorMs, settledBefore - marginMs);
    }
    return toDescribe.length - failures;
  };

  /** Polls never overlap: recheck waits for the loop's current pass. */
  const pollSerially = (from: () => number) => {
    const run = polling.then(() => poll(from()));
    polling = run.then(
      () => {},
      () => {},
    );
    return run;
  };

  return {
    describe: `Step Functions API (${stateMachineArn})`,
    start(keyPrefix, since, onOutcome) {
      prefix = keyPrefix;
      report = onOutcome;
      sinceMs = since;
      floorMs = since - marginMs;
      loop = (async () => {
        let wait = pollMs;
        while (!stopping.signal.aborted) {
          const found = await pollSerially(() => floorMs).catch((error: unknown) => {
            tell(error);
            return 0;
          });
          wait = found > 0 ? pollMs : Math.min(wait * 2, maxPollMs);
          await sleep(wait, undefined, { signal: stopping.signal }).catch(() => {});
        }
      })();
    },
    async recheck() {
      // A whole pass from the run's start: nothing the floor skipped stays unread.
      await pollSerially(() => sinceMs - marginMs);
    },
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
