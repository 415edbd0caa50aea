/**
 * The Context object (`$$` in JSONPath, `$states.context` in JSONata) of the state under test: an
 * execution of a state machine named as AWS's TestState names it, the state's name, entry time and
 * retry count; inside a Map, `Map.Item` of the first iteration with the input as its value (the
 * guide's "Automatic Context population"). A request's `context` replaces the members it gives.
 */
import { randomUUID } from 'node:crypto';

export interface ContextOptions {
  stateName: string;
  input: unknown;
  insideMap: boolean;
  retryCount: number;
  roleArn?: string;
  region: string;
  account: string;
  given?: Record<string, unknown>;
}

const STATE_MACHINE_NAME = 'TestStateMachine';

export function contextOf(options: ContextOptions): Record<string, unknown> {
  const now = new Date().toISOString();
  const name = randomUUID();
  const base = `arn:aws:states:${options.region}:${options.account}`;
  return {
    Execution: {
      Id: `${base}:execution:${STATE_MACHINE_NAME}:${name}`,
      Name: name,
      Input: options.input,
      StartTime: now,
      ...(options.roleArn ? { RoleArn: options.roleArn } : {}),
    },
    StateMachine: { Id: `${base}:stateMachine:${STATE_MACHINE_NAME}`, Name: STATE_MACHINE_NAME },
    State: { Name: options.stateName, EnteredTime: now, RetryCount: options.retryCount },
    ...(options.insideMap ? { Map: { Item: { Index: 0, Value: options.input } } } : {}),
    ...options.given,
  };
}
