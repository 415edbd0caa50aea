/**
 * Map states in Distributed mode for the embedded engine (aws-local-stepfunctions runs every Map
 * inline and has no ItemReader, ResultWriter or tolerated failures). The engine runs each one as a
 * Task (definition.ts) bound here. That Task
 * is one Map Run (`arn:...:mapRun:<state machine>/<Label or state name>:<id>`): its items come from
 * the ItemReader (items.ts), each goes through the ItemSelector (with
 * `$$.Map.Item.Index` and `$$.Map.Item.Value`) and runs as a child workflow execution of the
 * ItemProcessor, an engine of its own (`arn:...:stateMachine:<state machine>/<label>`) that finds
 * the state machines it starts in the parent's registry; outcomes go to the ResultWriter's files
 * (results.ts) under the tolerated-failure rule (run.ts). The
 * state's output is `{MapRunArn, ResultWriterDetails: {Bucket, Key}}` with a ResultWriter, else the
 * children's outputs in item order; more failures than tolerated fail it with
 * States.ExceedToleratedFailureThreshold, after the results are written.
 */
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ResultRecord } from '../../../workflow/batch-types.ts';
import { TaskError } from '../../shared/index.ts';
import { ExecutionRegistry } from '../execution-registry.ts';
import { type RegisteredStateMachine, StateMachineRegistry } from '../state-machine-registry.ts';
import type { StartExecutionHandler, StartedExecution } from '../types.ts';
import { itemSourceFor } from './items.ts';
import { PayloadTemplate, ReferencePath, runtimeError } from './paths.ts';
import { ResultFiles, resultDestinationFor } from './results.ts';
import { resultRecordOf, runMapRun } from './run.ts';
import type {
  ItemOutcome,
  ItemReaderDefinition,
  MapContext,
  ResultWriterDefinition,
  Tolerance,
} from './types.ts';

export { isDistributedMap, localStateMachine } from './definition.ts';

import type { ItemProcessorFactory } from './types.ts';

/** Closed child executions each Map Run's engine remembers (their records go to the result files). */
const CHILDREN_REMEMBERED = 1_000;

interface DistributedMapDefinition {
  Type: 'Map';
  Label?: string;
  ItemReader?: ItemReaderDefinition;
  ItemsPath?: string;
  ItemSelector?: Record<string, unknown>;
  /** Before ItemSelector, Map states called it Parameters. */
  Parameters?: Record<string, unknown>;
  ItemBatcher?: unknown;
  ItemProcessor: {
    ProcessorConfig?: { Mode?: string; ExecutionType?: string };
    StartAt: string;
    States: unknown;
  };
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
  ToleratedFailurePercentage?: number;
  ToleratedFailurePercentagePath?: string;
  ToleratedFailureCount?: number;
  ToleratedFailureCountPath?: string;
  ResultWriter?: ResultWriterDefinition;
}

/** The children see the parent's state machines, but the registry does not list the children. */
class MapRunRegistry extends StateMachineRegistry {
  readonly #parent: StateMachineRegistry;

  constructor(parent: StateMachineRegistry) {
    super();
    this.#parent = parent;
  }

  override get(stateMachineArn: string): RegisteredStateMachine | undefined {
    return super.get(stateMachineArn) ?? this.#parent.get(stateMachineArn);
  }

  override nestedStarted(child: StartedExecution, parentExecutionArn: string): void {
    this.#parent.nestedStarted(child, parentExecutionArn);
  }
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** A number field (literal or path), checked as Step Functions checks it (messages as AWS words them). */
function settingOf(
  stateName: string,
  field: 'MaxConcurrency' | 'ToleratedFailurePercentage' | 'ToleratedFailureCount',
  literal: number | undefined,
  path: string | undefined,
): (input: unknown, context: MapContext) => Promise<number | undefined> {
  if (path === undefined) return async () => literal;
  const reference = new ReferencePath(stateName, path);
  const integer = field !== 'ToleratedFailurePercentage';
  return async (input, context) => {
    const value = await reference.evaluate(input, context);
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      const kind = integer ? 'integer' : 'float';
      throw runtimeError(
        stateName,
        `The ${field}Path field refers to value "${show(value)}" which is not a valid ${kind}: ${path}`,
      );
    }
    if (field === 'ToleratedFailurePercentage' && (value < 0 || value > 100)) {
      throw runtimeError(stateName, 'ToleratedFailurePercentage must be between 0 and 100.');
    }
    if (value < 0) throw runtimeError(stateName, `${field} cannot be negative.`);
    return value;
  };
}

/**
 * The handler of the stand-in Task, bound to each execution that runs it (its ARN names the state
 * machine and the execution). Throws at build time for what the engine does not supply.
 */
export function bindDistributedMap(
  stateName: string,
  state: unknown,
  stateMachines: StateMachineRegistry,
  s3: S3Client,
  createItemProcessor: ItemProcessorFactory,
): StartExecutionHandler {
  const map = state as DistributedMapDefinition;
  if (map.ItemBatcher !== undefined)
    throw new Error(`State ${stateName}: ItemBatcher is not supported in-process`);
  const label = map.Label ?? stateName;
  const selectorTemplate = map.ItemSelector ?? map.Parameters;
  const selector = selectorTemplate ? new PayloadTemplate(stateName, selectorTemplate) : undefined;
  const itemSource = itemSourceFor(stateName, map);
  const maxConcurrency = settingOf(stateName, 'MaxConcurrency', map.MaxConcurrency, map.MaxConcurrencyPath);
  const percentage = settingOf(
    stateName,
    'ToleratedFailurePercentage',
    map.ToleratedFailurePercentage,
    map.ToleratedFailurePercentagePath,
  );
  const count = settingOf(
    stateName,
    'ToleratedFailureCount',
    map.ToleratedFailureCount,
    map.ToleratedFailureCountPath,
  );
  const destination = map.ResultWriter ? resultDestinationFor(stateName, map.ResultWriter) : undefined;
  const { ProcessorConfig: _mode, ...processor } = map.ItemProcessor;
  const processors = new Map<string, ReturnType<ItemProcessorFactory>>();
  const processorFor = (stateMachineArn: string) => {
    let engine = processors.get(stateMachineArn);
    if (!engine) {
      engine = createItemProcessor({
        definition: processor as Record<string, unknown>,
        stateMachineArn: `${stateMachineArn}/${label}`,
        stateMachines: new MapRunRegistry(stateMachines),
        executions: new ExecutionRegistry({ maxClosed: CHILDREN_REMEMBERED }),
      });
      processors.set(stateMachineArn, engine);
    }
    return engine;
  };

  return (executionArn) => async (input) => {
    // arn:<partition>:states:<region>:<account>:execution:<state machine>:<execution>
    const parts = executionArn.split(':');
    const [executionName, machineName] = [parts[7] as string, parts[6] as string];
    const stateMachineArn = [...parts.slice(0, 5), 'stateMachine', machineName].join(':');
    const context: MapContext = {
      Execution: { Id: executionArn, Name: executionName },
      StateMachine: { Id: stateMachineArn, Name: machineName },
      State: { Name: stateName },
    };
    const children = processorFor(stateMachineArn);
    const mapRunArn = `${[...parts.slice(0, 5), 'mapRun', `${machineName}/${label}`].join(':')}:${randomUUID()}`;
    const tolerance: Tolerance = {};
    const tolerated = await percentage(input, context);
    const toleratedCount = await count(input, context);
    if (tolerated !== undefined) tolerance.percentage = tolerated;
    if (toleratedCount !== undefined) tolerance.count = toleratedCount;
    const concurrency = (await maxConcurrency(input, context)) ?? 0;
    const source = await itemSource(s3, input, context);
    const files = destination
      ? await ResultFiles.open(await destination(input, context), mapRunArn)
      : undefined;
    const outputs: unknown[] = [];
    const select = async (value: unknown, index: number) =>
      selector
        ? await selector.evaluate(input, { ...context, Map: { Item: { Index: index, Value: value } } })
        : value;
    let exceeded: boolean;
    try {
      ({ exceeded } = await runMapRun({
        items: source.items(),
        total: await source.count(),
        maxConcurrency: concurrency,
        tolerance,
        async runItem(value, index): Promise<ItemOutcome> {
          const record = await children.start(await select(value, index), randomUUID()).done;
          return resultRecordOf(record, children.stateMachineArn);
        },
        async pendingItem(value, index): Promise<ResultRecord> {
          return { Input: JSON.stringify(await select(value, index)), InputDetails: { Included: true } };
        },
        onOutcome(outcome, index) {
          if (files) files.add(outcome.status, outcome.record);
          else if (outcome.status === 'SUCCEEDED') outputs[index] = outcome.output;
        },
      }));
    } catch (error) {
      await files?.discard();
      throw error;
    }
    const manifestKey = files ? await files.finish(s3) : undefined;
    if (exceeded) {
      throw new TaskError(
        'States.ExceedToleratedFailureThreshold',
        'The specified tolerated failure threshold was exceeded',
      );
    }
    // A failed child (within the tolerated share) has no output: null in its place.
    if (!files) return Array.from(outputs, (output) => output ?? null);
    return {
      MapRunArn: mapRunArn,
      ResultWriterDetails: { Bucket: files.destination.bucket, Key: manifestKey },
    };
  };
}
