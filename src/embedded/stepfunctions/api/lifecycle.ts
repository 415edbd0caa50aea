/**
 * CreateStateMachine, UpdateStateMachine and DeleteStateMachine of the embedded Step Functions
 * API: the state machines a running stack's users add (their Tasks on the stack's services, the
 * local SageMaker included); the kit's own are refused by the host. Members as the service model
 * declares them (names 1-80 characters, definitions up to 1 MiB, role ARNs up to 256).
 */
import { z } from 'zod';
import { isValidExecutionName } from '../../../events/execution-name.ts';
import { SfnApiError, sfnErrors } from './errors.ts';
import {
  type Action,
  arn,
  checkStateMachineArn,
  parse,
  required,
  seconds,
  stateMachineOf,
} from './requests.ts';

const ROLE_ARN = /^arn:[\w-]+:iam::\d{12}:role\/.+$/;

const schemas = {
  CreateStateMachine: z.object({
    name: z.string(required()).min(1).max(80),
    definition: z.string(required()).min(1).max(1_048_576),
    roleArn: z.string(required()).min(1).max(256),
    type: z.enum(['STANDARD', 'EXPRESS']).optional(),
  }),
  UpdateStateMachine: z.object({
    stateMachineArn: arn,
    definition: z.string().min(1).max(1_048_576).optional(),
    roleArn: z.string().min(1).max(256).optional(),
  }),
  DeleteStateMachine: z.object({ stateMachineArn: arn }),
};

export const STATE_MACHINE_LIFECYCLE: Record<string, Action> = {
  CreateStateMachine(host, request) {
    const { name, definition, roleArn, type = 'STANDARD' } = parse(schemas.CreateStateMachine, request);
    if (!host.createStateMachine) {
      throw sfnErrors.unknownOperation(
        "This embedded Step Functions API serves the kit's state machines only",
      );
    }
    if (type !== 'STANDARD') {
      throw sfnErrors.validation(
        'The embedded engine runs STANDARD state machines only; type EXPRESS is refused',
      );
    }
    // State machine names follow the rule of execution names (no whitespace, brackets, wildcards).
    if (!isValidExecutionName(name)) throw sfnErrors.invalidName(name);
    if (!ROLE_ARN.test(roleArn))
      throw sfnErrors.invalidArn(roleArn, 'Resource type not valid in this context: expected a role ARN');
    const created = host.createStateMachine({ name, definition, roleArn });
    return { stateMachineArn: created.stateMachineArn, creationDate: seconds(created.creationDate) };
  },

  UpdateStateMachine(host, request) {
    const { stateMachineArn, definition, roleArn } = parse(schemas.UpdateStateMachine, request);
    if (!host.updateStateMachine) {
      throw sfnErrors.unknownOperation(
        "This embedded Step Functions API serves the kit's state machines only",
      );
    }
    stateMachineOf(host, stateMachineArn);
    if (definition === undefined && roleArn === undefined) {
      throw new SfnApiError(
        'MissingRequiredParameter',
        'Either the definition or the roleArn must be specified',
      );
    }
    if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) {
      throw sfnErrors.invalidArn(roleArn, 'Resource type not valid in this context: expected a role ARN');
    }
    const { updateDate } = host.updateStateMachine({
      stateMachineArn,
      ...(definition === undefined ? {} : { definition }),
      ...(roleArn === undefined ? {} : { roleArn }),
    });
    return { updateDate: seconds(updateDate) };
  },

  DeleteStateMachine(host, request) {
    const { stateMachineArn } = parse(schemas.DeleteStateMachine, request);
    if (!host.deleteStateMachine) {
      throw sfnErrors.unknownOperation(
        "This embedded Step Functions API serves the kit's state machines only",
      );
    }
    checkStateMachineArn(stateMachineArn);
    host.deleteStateMachine(stateMachineArn);
    return {};
  },
};
