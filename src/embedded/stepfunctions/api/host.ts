/**
 * What the Step Functions API serves in the embedded runtime: the state machines of its registry
 * (the current version of each: `scones up --watch` registers new ones under the same ARN) whose
 * definitions it knows, with their executions; and, given a factory, the state machines
 * CreateStateMachine adds (built by the same engine, so their Tasks reach the tier's services).
 */

import { formatDiagnostic, validateDefinition } from '../../../asl/index.ts';
import type { RegisteredStateMachine, StateMachineRegistry } from '../state-machine-registry.ts';
import { sfnErrors } from './errors.ts';
import type {
  CreateStateMachineRequest,
  SfnApiHost,
  StateMachineFactory,
  UpdateStateMachineRequest,
} from './types.ts';

interface Created {
  definition: string;
  roleArn: string;
  creationDate: Date;
}

export function registeredStateMachines(
  stateMachines: StateMachineRegistry,
  /** The substituted ASL by state machine ARN, as DescribeStateMachine returns it. */
  definitions: ReadonlyMap<string, string>,
  roleArnOf: (stateMachineName: string) => string,
  /** Builds what CreateStateMachine adds; without it, the action is refused. */
  factory?: StateMachineFactory,
): SfnApiHost {
  const creationDate = new Date();
  const created = new Map<string, Created>();
  const host: SfnApiHost = {
    stateMachines: () =>
      stateMachines.stateMachineArns.flatMap((stateMachineArn) => {
        const machine = stateMachines.get(stateMachineArn);
        const own = created.get(stateMachineArn);
        const definition = own?.definition ?? definitions.get(stateMachineArn);
        if (!machine || definition === undefined) return [];
        const name = stateMachineArn.split(':').at(-1) as string;
        return [
          {
            stateMachineArn,
            name,
            definition,
            roleArn: own?.roleArn ?? roleArnOf(name),
            creationDate: own?.creationDate ?? creationDate,
            executions: machine.executions,
            start: (input: unknown, executionName?: string) => machine.start(input, executionName),
          },
        ];
      }),
  };
  if (factory) {
    host.createStateMachine = (request) => create(request, factory, stateMachines, created);
    host.updateStateMachine = (request) => update(request, factory, stateMachines, created);
    host.deleteStateMachine = (stateMachineArn) => {
      if (!created.has(stateMachineArn) && stateMachines.get(stateMachineArn))
        throw kitOwned(stateMachineArn);
      // Deleting what does not exist succeeds, as on AWS; running executions finish.
      created.delete(stateMachineArn);
      stateMachines.unregister(stateMachineArn);
    };
    host.engineRefusal = (definition) => {
      try {
        factory.check(definition);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    };
  }
  return host;
}

/**
 * CreateStateMachine as the service answers it: the same name, definition and role again returns
 * the existing state machine (the call is idempotent); anything else under a taken name is
 * StateMachineAlreadyExists; a definition the engine cannot build or run is InvalidDefinition.
 */
function create(
  { name, definition, roleArn }: CreateStateMachineRequest,
  factory: StateMachineFactory,
  stateMachines: StateMachineRegistry,
  created: Map<string, Created>,
): { stateMachineArn: string; creationDate: Date } {
  const stateMachineArn = factory.arnOf(name);
  const existing = created.get(stateMachineArn);
  if (existing) {
    if (existing.definition === definition && existing.roleArn === roleArn) {
      return { stateMachineArn, creationDate: existing.creationDate };
    }
    throw sfnErrors.stateMachineAlreadyExists(stateMachineArn);
  }
  // The kit's own state machines are not replaced through the API.
  if (stateMachines.get(stateMachineArn)) throw sfnErrors.stateMachineAlreadyExists(stateMachineArn);
  build(factory, stateMachineArn, definition);
  const creationDate = new Date();
  created.set(stateMachineArn, { definition, roleArn, creationDate });
  return { stateMachineArn, creationDate };
}

/** UpdateStateMachine: new executions run the new definition; running ones finish on theirs. */
function update(
  { stateMachineArn, definition, roleArn }: UpdateStateMachineRequest,
  factory: StateMachineFactory,
  stateMachines: StateMachineRegistry,
  created: Map<string, Created>,
): { updateDate: Date } {
  const existing = created.get(stateMachineArn);
  const machine = stateMachines.get(stateMachineArn);
  if (!existing || !machine) {
    if (machine) throw kitOwned(stateMachineArn);
    throw sfnErrors.stateMachineDoesNotExist(stateMachineArn);
  }
  if (definition !== undefined && definition !== existing.definition) {
    build(factory, stateMachineArn, definition, machine.executions);
    existing.definition = definition;
  }
  if (roleArn !== undefined) existing.roleArn = roleArn;
  return { updateDate: new Date() };
}

/**
 * Validates (src/asl/: the checks ValidateStateMachineDefinition answers, the service's
 * InvalidDefinition wording: `CODE: message at location, ...`) and builds (registers) the
 * definition, or throws InvalidDefinition naming why, the engine's own refusals included.
 */
function build(
  factory: StateMachineFactory,
  stateMachineArn: string,
  definition: string,
  executions?: RegisteredStateMachine['executions'],
): void {
  const validation = validateDefinition(definition, { type: 'STANDARD' });
  if (validation.result === 'FAIL') {
    const errors = validation.diagnostics.filter((d) => d.severity === 'ERROR');
    throw sfnErrors.invalidDefinition(errors.map(formatDiagnostic).join(', '));
  }
  try {
    factory.build(stateMachineArn, JSON.parse(definition) as Record<string, unknown>, executions);
  } catch (error) {
    throw sfnErrors.invalidDefinition((error as Error).message);
  }
}

/** The kit's own state machines change with its code (`scones up --watch`), not through the API. */
function kitOwned(stateMachineArn: string) {
  return sfnErrors.validation(
    `${stateMachineArn} is one of the kit's state machines: it changes with the kit's code (scones up --watch), not through the API`,
  );
}
