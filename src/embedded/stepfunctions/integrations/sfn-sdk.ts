/**
 * `arn:aws:states:::aws-sdk:sfn:listExecutions` against the embedded tier's own state machines:
 * ListExecutions' request and response in the PascalCase every AWS SDK integration uses ("Learning
 * to use AWS service SDK integrations in Step Functions": parameters and results are PascalCase even
 * where the service's API is camelCase), errors `Sfn.<Exception>`. The retraining state machine asks
 * it which retrainings are running before it changes anything.
 */
import { TaskError } from '../../shared/index.ts';
import { SfnApiError } from '../api/errors.ts';
import { type ExecutionView, listExecutions } from '../api/executions.ts';
import type { StateMachineRegistry } from '../state-machine-registry.ts';
import type { SdkIntegrationHandler } from '../types.ts';

const STATUSES = new Set(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']);

function pascalCase(view: ExecutionView) {
  return {
    ExecutionArn: view.executionArn,
    StateMachineArn: view.stateMachineArn,
    Name: view.name,
    Status: view.status,
    StartDate: view.startDate,
    ...(view.stopDate === undefined ? {} : { StopDate: view.stopDate }),
  };
}

function validation(message: string): TaskError {
  return new TaskError('Sfn.ValidationException', message);
}

export function sfnListExecutions(stateMachines: StateMachineRegistry): SdkIntegrationHandler {
  return async (input) => {
    const { StateMachineArn, StatusFilter, MaxResults, NextToken } = (input ?? {}) as Record<string, unknown>;
    if (typeof StateMachineArn !== 'string')
      throw validation('ListExecutions needs StateMachineArn (a MapRunArn is not served in-process)');
    if (StatusFilter !== undefined && !STATUSES.has(String(StatusFilter)))
      throw validation(
        `1 validation error detected: Value '${String(StatusFilter)}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${[...STATUSES].join(', ')}]`,
      );
    const maxResults = MaxResults === undefined || MaxResults === 0 ? 100 : Number(MaxResults);
    if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000)
      throw validation(
        `1 validation error detected: Value '${String(MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`,
      );
    const machine = stateMachines.get(StateMachineArn);
    if (!machine)
      throw new TaskError(
        'Sfn.StateMachineDoesNotExistException',
        `State Machine Does Not Exist: '${StateMachineArn}'`,
      );
    try {
      const page = listExecutions(machine.executions, {
        stateMachineArn: StateMachineArn,
        ...(StatusFilter === undefined ? {} : { statusFilter: StatusFilter as ExecutionView['status'] }),
        maxResults,
        ...(typeof NextToken === 'string' ? { nextToken: NextToken } : {}),
      });
      return {
        Executions: page.executions.map(pascalCase),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    } catch (error) {
      if (error instanceof SfnApiError)
        throw new TaskError(
          `Sfn.${error.code}Exception`.replace(/ExceptionException$/, 'Exception'),
          error.message,
        );
      throw error;
    }
  };
}
