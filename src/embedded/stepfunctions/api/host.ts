/**
 * What the Step Functions API serves in the embedded runtime: the state machines of its registry
 * (the current version of each: `scones up --watch` registers new ones under the same ARN) whose
 * definitions it knows, with their executions.
 */

import type { StateMachineRegistry } from '../state-machine-registry.ts';
import type { SfnApiHost } from './types.ts';

export function registeredStateMachines(
  stateMachines: StateMachineRegistry,
  /** The substituted ASL by state machine ARN, as DescribeStateMachine returns it. */
  definitions: ReadonlyMap<string, string>,
  roleArnOf: (stateMachineName: string) => string,
): SfnApiHost {
  const creationDate = new Date();
  return {
    stateMachines: () =>
      stateMachines.stateMachineArns.flatMap((stateMachineArn) => {
        const machine = stateMachines.get(stateMachineArn);
        const definition = definitions.get(stateMachineArn);
        if (!machine || definition === undefined) return [];
        const name = stateMachineArn.split(':').at(-1) as string;
        return [
          {
            stateMachineArn,
            name,
            definition,
            roleArn: roleArnOf(name),
            creationDate,
            executions: machine.executions,
            start: (input: unknown, executionName?: string) => machine.start(input, executionName),
          },
        ];
      }),
  };
}
