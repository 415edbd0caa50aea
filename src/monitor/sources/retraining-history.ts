/**
 * The retraining history through the SDK: the executions of `scones-<stage>-model-retraining`
 * (ListStateMachines → ListExecutions → DescribeExecution for the output's `outcome` and
 * `candidate`; GetExecutionHistory for when UpdateEndpoint / CreateEndpoint was entered and what
 * served before) and the model package group (ListModelPackages), every list paged.
 *
 * A Step Functions API that keeps no state-by-state history (the local stack keeps the start and
 * end of each execution only) gives no rollout start: then the candidate's endpoint config's
 * CreationTime stands in (made right before the update, so the window can only come out wider),
 * and without SageMaker the execution's start (wider still). The report names which was used.
 */

import {
  DescribeEndpointConfigCommand,
  ListModelPackagesCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type {
  RegistryEntry,
  RetrainingExecution,
  RetrainingHistory,
  RetrainingHistorySource,
  RetrainingOutcome,
} from '../versions/index.ts';

export interface RetrainingHistoryOptions {
  sfn: SFNClient;
  /** The registry and endpoint configs; without it versions come from the executions' outputs. */
  sagemaker?: SageMakerClient;
  stateMachineName: string;
  modelPackageGroup: string;
  /** A run's endpoint config is `<runNamePrefix><execution name>` (retrainingNames). */
  runNamePrefix: string;
  /** Newest executions read (default 200). */
  maxExecutions?: number;
}

/** The states that update the endpoint, and the one that records what served before. */
const ROLLOUT_STATES = new Set(['UpdateEndpoint', 'CreateEndpoint']);
const SERVING_STATE = 'ModelInService';
const OUTCOMES = new Set<RetrainingOutcome>(['promoted', 'rejected', 'rolled-back']);
const ENDED_IN_FAILURE = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

const describeError = (error: unknown) => {
  const err = error as Error;
  return `${err.name}: ${err.message}`;
};

async function findStateMachine(sfn: SFNClient, name: string): Promise<string | undefined> {
  let token: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken: token }));
    const found = page.stateMachines?.find((machine) => machine.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
    token = page.nextToken;
  } while (token);
  return undefined;
}

async function listExecutions(sfn: SFNClient, arn: string, max: number): Promise<ExecutionListItem[]> {
  const items: ExecutionListItem[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken: token }));
    items.push(...(page.executions ?? []));
    token = page.nextToken;
  } while (token && items.length < max);
  return items.slice(0, max);
}

async function historyOf(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let token: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: token }));
    events.push(...(page.events ?? []));
    token = page.nextToken;
  } while (token);
  return events;
}

interface ParsedOutput {
  outcome?: unknown;
  candidate?: { model_package_arn?: unknown; model_data?: unknown } | null;
}

function parseOutput(output: string | undefined): ParsedOutput {
  if (!output) return {};
  try {
    return (JSON.parse(output) as ParsedOutput | null) ?? {};
  } catch {
    return {};
  }
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/** The rollout's start and the model serving before, from the state events of the history. */
export function rolloutFromHistory(events: readonly HistoryEvent[]): {
  stateEvents: boolean;
  rolloutStartMs?: number;
  servingModelData?: string;
} {
  let stateEvents = false;
  let rolloutStartMs: number | undefined;
  let servingModelData: string | undefined;
  for (const event of events) {
    const entered = event.stateEnteredEventDetails?.name;
    const exited = event.stateExitedEventDetails;
    if (entered || exited) stateEvents = true;
    if (entered && ROLLOUT_STATES.has(entered) && rolloutStartMs === undefined && event.timestamp) {
      rolloutStartMs = new Date(event.timestamp).getTime();
    }
    if (exited?.name === SERVING_STATE && exited.output) {
      const output = parseOutput(exited.output) as { serving?: { model_data?: unknown } };
      servingModelData = text(output.serving?.model_data) ?? servingModelData;
    }
  }
  return {
    stateEvents,
    ...(rolloutStartMs === undefined ? {} : { rolloutStartMs }),
    ...(servingModelData === undefined ? {} : { servingModelData }),
  };
}

function outcomeOf(status: string, output: ParsedOutput): RetrainingOutcome {
  if (status === 'RUNNING') return 'running';
  if (ENDED_IN_FAILURE.has(status)) return 'failed';
  const outcome = output.outcome as RetrainingOutcome;
  return OUTCOMES.has(outcome) ? outcome : 'unknown';
}

async function readExecution(
  options: RetrainingHistoryOptions,
  item: ExecutionListItem,
  notes: string[],
): Promise<RetrainingExecution> {
  const { sfn, sagemaker } = options;
  const arn = item.executionArn as string;
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  const status = described.status ?? item.status ?? 'UNKNOWN';
  const output = parseOutput(described.output);
  const outcome = outcomeOf(status, output);
  const name = item.name ?? described.name ?? arn;
  const execution: RetrainingExecution = {
    name,
    executionArn: arn,
    status,
    startMs: new Date(described.startDate ?? item.startDate ?? 0).getTime(),
    ...(described.stopDate ? { stopMs: new Date(described.stopDate).getTime() } : {}),
    outcome,
    ...(text(output.candidate?.model_package_arn)
      ? { candidateArn: text(output.candidate?.model_package_arn) }
      : {}),
    ...(text(output.candidate?.model_data) ? { candidateModelData: text(output.candidate?.model_data) } : {}),
    ...(described.error ? { error: described.error } : {}),
  };
  if (outcome === 'rejected' || outcome === 'unknown') return execution;
  const history = rolloutFromHistory(await historyOf(sfn, arn));
  if (history.servingModelData) execution.servingModelData = history.servingModelData;
  if (history.rolloutStartMs !== undefined) {
    execution.rolloutStartMs = history.rolloutStartMs;
    execution.rolloutStartSource = 'history';
    return execution;
  }
  // No state events: only promoted and rolled-back runs are known to have updated the endpoint.
  if (history.stateEvents || (outcome !== 'promoted' && outcome !== 'rolled-back')) return execution;
  if (sagemaker) {
    const configName = `${options.runNamePrefix}${name}`;
    try {
      const config = await sagemaker.send(
        new DescribeEndpointConfigCommand({ EndpointConfigName: configName }),
      );
      if (config.CreationTime) {
        execution.rolloutStartMs = new Date(config.CreationTime).getTime();
        execution.rolloutStartSource = 'endpoint config created';
        return execution;
      }
    } catch (error) {
      notes.push(`endpoint config ${configName}: ${describeError(error)}`);
    }
  }
  execution.rolloutStartMs = execution.startMs;
  execution.rolloutStartSource = 'execution start';
  return execution;
}

async function readRegistry(sagemaker: SageMakerClient, group: string): Promise<RegistryEntry[]> {
  const entries: RegistryEntry[] = [];
  let token: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: group, NextToken: token }),
    );
    for (const summary of page.ModelPackageSummaryList ?? []) {
      if (!summary.ModelPackageArn || summary.ModelPackageVersion === undefined) continue;
      entries.push({
        arn: summary.ModelPackageArn,
        version: summary.ModelPackageVersion,
        status: summary.ModelApprovalStatus ?? 'unknown',
        ...(summary.CreationTime ? { createdMs: new Date(summary.CreationTime).getTime() } : {}),
      });
    }
    token = page.NextToken;
  } while (token);
  return entries;
}

export function sdkRetrainingHistory(options: RetrainingHistoryOptions): RetrainingHistorySource {
  return {
    describe: `Step Functions executions of ${options.stateMachineName}${options.sagemaker ? `, model package group ${options.modelPackageGroup}` : ''}`,
    async read(): Promise<RetrainingHistory> {
      const notes: string[] = [];
      const arn = await findStateMachine(options.sfn, options.stateMachineName);
      if (!arn) {
        return { executions: [], registry: [], notes: [`no state machine ${options.stateMachineName}`] };
      }
      const items = await listExecutions(options.sfn, arn, options.maxExecutions ?? 200);
      const executions: RetrainingExecution[] = [];
      for (const item of items) executions.push(await readExecution(options, item, notes));
      let registry: RegistryEntry[] = [];
      if (options.sagemaker) {
        try {
          registry = await readRegistry(options.sagemaker, options.modelPackageGroup);
        } catch (error) {
          notes.push(`model registry ${options.modelPackageGroup} unavailable: ${describeError(error)}`);
        }
      } else {
        notes.push('no SageMaker client: registry statuses are those of the executions’ outputs');
      }
      return { executions, registry, notes };
    },
  };
}
