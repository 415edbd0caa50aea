/**
 * Outcomes from the embedded engine in this process: every status change of the classification
 * state machine's executions (the registry's listener), and at the end each key's latest closed
 * execution (`latestForObject`), for any closing the listener could have missed. Only executions
 * of the engine's own state machine count, so a state machine in front of it (an intake step)
 * does not make a key look decided before it is classified.
 */
import type { EmbeddedEngine } from '../embedded/stepfunctions/index.ts';
import { type Outcome, type OutcomeSource, outcomeOf } from './outcomes.ts';

interface ImageInput {
  s3_bucket?: unknown;
  s3_key?: unknown;
}

export function engineOutcomes(engine: EmbeddedEngine, bucket: string): OutcomeSource {
  let unsubscribe: (() => void) | undefined;
  let report: (outcome: Outcome) => void = () => {};
  let prefix = '';
  // Execution ARNs name their state machine: `arn:...:execution:<state machine>:<name>`.
  const executionArnPrefix = `${engine.stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
  return {
    describe: `embedded engine (${engine.stateMachineArn})`,
    start(keyPrefix, _sinceMs, onOutcome) {
      prefix = keyPrefix;
      report = onOutcome;
      unsubscribe = engine.executions.subscribe((snapshot) => {
        if (snapshot.status === 'RUNNING' || snapshot.stateMachineArn !== engine.stateMachineArn) return;
        const input = (snapshot.input ?? {}) as ImageInput;
        if (
          input.s3_bucket !== bucket ||
          typeof input.s3_key !== 'string' ||
          !input.s3_key.startsWith(prefix)
        )
          return;
        report(
          outcomeOf({
            key: input.s3_key,
            name: snapshot.name,
            status: snapshot.status,
            stopMs: (snapshot.stopDate ?? new Date()).getTime(),
            output: snapshot.output,
            error: snapshot.error,
            cause: snapshot.cause,
          }),
        );
      });
    },
    async recheck(keys) {
      for (const key of keys) {
        const summary = engine.executions.latestForObject(bucket, key);
        if (!summary?.executionArn.startsWith(executionArnPrefix)) continue;
        report(
          outcomeOf({
            key,
            name: summary.name,
            status: summary.status,
            stopMs: Date.parse(summary.stopDate),
            output: summary.output,
            error: summary.error,
            cause: summary.cause,
          }),
        );
      }
    },
    async stop() {
      unsubscribe?.();
    },
  };
}
