/**
 * What every action of the embedded Step Functions API does with its request: members checked as
 * the service model declares them (a zod schema, its failures one ValidationException), dates as
 * epoch seconds (the JSON 1.0 protocol's timestamp format), state machines looked up by ARN.
 */
import { z } from 'zod';
import { sfnErrors, validationErrorOf } from './errors.ts';
import type { SfnApiHost, SfnApiStateMachine } from './types.ts';

/** An action's answer, or a promise of it (TestState runs a state). */
export type Action = (host: SfnApiHost, request: unknown) => unknown;

export const required = (message = 'Member must not be null') => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? message : undefined),
});
export const arn = z.string(required()).min(1).max(2048);

export function parse<T extends z.ZodType>(schema: T, request: unknown): z.infer<T> {
  const result = schema.safeParse(request ?? {}, { reportInput: true });
  if (!result.success) throw validationErrorOf(result.error);
  return result.data;
}

export const seconds = (date: Date | undefined) => (date === undefined ? undefined : date.getTime() / 1000);

/** Throws InvalidArn for what is not a state machine ARN. */
export function checkStateMachineArn(stateMachineArn: string): void {
  const parts = stateMachineArn.split(':');
  if (parts.length !== 7 || parts[0] !== 'arn' || parts[2] !== 'states' || parts[5] !== 'stateMachine') {
    throw sfnErrors.invalidArn(
      stateMachineArn,
      'Resource type not valid in this context: expected a state machine ARN',
    );
  }
}

export function stateMachineOf(host: SfnApiHost, stateMachineArn: string): SfnApiStateMachine {
  checkStateMachineArn(stateMachineArn);
  const machine = host.stateMachines().find((candidate) => candidate.stateMachineArn === stateMachineArn);
  if (!machine) throw sfnErrors.stateMachineDoesNotExist(stateMachineArn);
  return machine;
}
