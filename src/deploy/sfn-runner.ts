/**
 * Runs executions of a deployed state machine (emulator, containers or AWS) through the Step
 * Functions API and reports them in the embedded engine's `ExecutionRecord` shape, so the CLI, the
 * parity test and the benchmark compare tiers record for record.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type SFNClient,
  type HistoryEvent as SfnHistoryEvent,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionRecord, HistoryEvent } from '../workflow/execution.ts';
import type { ImageEvent } from '../workflow/types.ts';

export interface SfnRunnerOptions {
  /** First DescribeExecution poll after this many ms; doubles up to `maxPollMs`. Default 50. */
  pollMs?: number;
  maxPollMs?: number;
  /** Also fetch GetExecutionHistory (one more paginated call per execution). Default false. */
  history?: boolean;
  /** Give up waiting after this long. Default 5 minutes. */
  timeoutMs?: number;
}

export interface SfnRunner {
  stateMachineArn: string;
  run(event: ImageEvent, name?: string): Promise<ExecutionRecord>;
}

function parseJson(text: string | undefined): unknown {
  return text === undefined ? undefined : JSON.parse(text);
}

async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: SfnHistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events.map((event) => {
    const failed =
      event.executionFailedEventDetails ??
      event.taskFailedEventDetails ??
      event.lambdaFunctionFailedEventDetails;
    const entered = event.stateEnteredEventDetails;
    const exited = event.stateExitedEventDetails;
    return {
      type: event.type ?? 'Unknown',
      timestamp: event.timestamp?.getTime() ?? 0,
      ...(entered
        ? { state: { name: entered.name ?? '', type: event.type ?? '', input: parseJson(entered.input) } }
        : {}),
      ...(exited
        ? { state: { name: exited.name ?? '', type: event.type ?? '', output: parseJson(exited.output) } }
        : {}),
      ...(failed ? { Error: failed.error, Cause: failed.cause } : {}),
    };
  });
}

export function createSfnRunner(
  sfn: SFNClient,
  stateMachineArn: string,
  options: SfnRunnerOptions = {},
): SfnRunner {
  const { pollMs = 50, maxPollMs = 1000, timeoutMs = 5 * 60_000 } = options;
  return {
    stateMachineArn,
    async run(event, name = randomUUID()) {
      const input = JSON.stringify(event);
      const { executionArn, startDate } = await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input }),
      );
      if (!executionArn) throw new Error(`StartExecution on ${stateMachineArn} returned no executionArn`);
      const deadline = Date.now() + timeoutMs;
      for (let wait = pollMs; ; wait = Math.min(wait * 2, maxPollMs)) {
        const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
          const succeeded = execution.status === 'SUCCEEDED';
          return {
            executionArn,
            name,
            status: succeeded ? 'SUCCEEDED' : 'FAILED',
            input: event,
            ...(succeeded ? { output: parseJson(execution.output) } : {}),
            ...(succeeded
              ? {}
              : { error: execution.error ?? `Execution${execution.status}`, cause: execution.cause }),
            startDate: execution.startDate ?? startDate ?? new Date(),
            stopDate: execution.stopDate ?? new Date(),
            history: options.history ? await executionHistory(sfn, executionArn) : [],
          };
        }
        if (Date.now() > deadline)
          throw new Error(`Execution ${executionArn} still running after ${timeoutMs} ms`);
        await sleep(wait);
      }
    },
  };
}
