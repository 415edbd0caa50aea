/**
 * The workflow of a target reached through the Step Functions API (a running `scones up`, an
 * emulator, compose, AWS): its state machines found by name, executions started and polled to
 * their end (src/deploy/sfn-runner.ts), reported in the embedded engine's record shape.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { isAwsTarget, type Target } from '../config.ts';
import type { BatchInput } from '../workflow/batch-types.ts';
import type { ExecutionRecord } from '../workflow/execution.ts';
import type { ImageEvent } from '../workflow/types.ts';
import type { StartedTarget, StateMachineRole, TargetNames } from './types.ts';

/** A batch of 100,000 images on AWS takes a while: wait up to a day, polling at most every 5 s. */
const BATCH_TIMEOUT_MS = 24 * 3600_000;
/** A retraining trains a model: wait up to a day too, polling at most every 2 s. */
const RETRAINING_TIMEOUT_MS = 24 * 3600_000;

/** The ARN of the state machine named `name`; rejects, saying how to deploy it, when there is none. */
export async function findStateMachine(sfn: SFNClient, name: string, target: Target): Promise<string> {
  const { ListStateMachinesCommand } = await import('@aws-sdk/client-sfn');
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    const match = page.stateMachines?.find((machine) => machine.name === name);
    if (match?.stateMachineArn) return match.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  const hint = isAwsTarget({ target }) ? 'scones promote' : `scones deploy --target ${target}`;
  throw new Error(`no state machine named ${name} on ${target}: deploy it first (${hint})`);
}

type ApiWorkflow = Pick<StartedTarget, 'stateMachineArn' | 'run' | 'runBatch' | 'runRetraining'>;

/** Looks each state machine up once, on first use (a command that only reads S3 lists nothing). */
export function apiWorkflow(
  sfn: () => SFNClient,
  target: Target,
  names: TargetNames,
  options: { history?: boolean } = {},
): ApiWorkflow {
  const arns = new Map<StateMachineRole, Promise<string>>();
  const stateMachineArn = (role: StateMachineRole = 'classification') => {
    let arn = arns.get(role);
    if (!arn) {
      arn = findStateMachine(sfn(), names.stateMachines[role], target);
      // A failed lookup is not remembered: the next call looks again (deployed meanwhile).
      arn.catch(() => arns.delete(role));
      arns.set(role, arn);
    }
    return arn;
  };
  return {
    stateMachineArn,
    async run(event: ImageEvent, name?: string): Promise<ExecutionRecord> {
      const { createSfnRunner } = await import('../deploy/sfn-runner.ts');
      const runner = createSfnRunner(sfn(), await stateMachineArn(), { history: !!options.history });
      return runner.run(event, name);
    },
    async runBatch(input: BatchInput, name: string): Promise<ExecutionRecord> {
      const { createSfnRunner } = await import('../deploy/sfn-runner.ts');
      const runner = createSfnRunner(sfn(), await stateMachineArn('batch'), {
        timeoutMs: BATCH_TIMEOUT_MS,
        maxPollMs: 5000,
      });
      // The runner's input type is the per-image event; it only serializes it.
      return runner.run(input as never, name);
    },
    async runRetraining(input: Record<string, unknown>, name: string): Promise<ExecutionRecord> {
      const { createSfnRunner } = await import('../deploy/sfn-runner.ts');
      const runner = createSfnRunner(sfn(), await stateMachineArn('retraining'), {
        timeoutMs: RETRAINING_TIMEOUT_MS,
        maxPollMs: 2000,
      });
      return runner.run(input as never, name);
    },
  };
}
