import type { ResultRecord, ResultStatus } from '../../../workflow/batch-types.ts';
import type { ExecutionRecord } from '../../../workflow/execution.ts';
import type { ExecutionRegistry } from '../execution-registry.ts';
import type { RegisteredStateMachine, StateMachineRegistry } from '../state-machine-registry.ts';

/** The Context Object a Distributed Map state evaluates its fields in. */
export interface MapContext {
  Execution: { Id: string; Name: string };
  StateMachine: { Id: string; Name: string };
  State: { Name: string };
  Map?: { Item: { Index: number; Value: unknown } };
}

/** The items of one Map Run. */
export interface ItemSource {
  /** How many items there will be (counted before the first is handed out). */
  count(): Promise<number>;
  items(): AsyncIterable<unknown>;
}

export interface ItemReaderDefinition {
  Resource: string;
  Parameters?: Record<string, unknown>;
  ReaderConfig?: { MaxItems?: number; MaxItemsPath?: string };
}

export interface ResultWriterDefinition {
  Resource: string;
  Parameters?: Record<string, unknown>;
  WriterConfig?: unknown;
}

export interface ResultDestination {
  bucket: string;
  prefix: string;
}

export interface Tolerance {
  /** 0-100; failed/total above it fails the Map Run. */
  percentage?: number;
  /** Failed items above it fail the Map Run. */
  count?: number;
}

export interface ItemOutcome {
  status: ResultStatus;
  record: ResultRecord;
  output?: unknown;
}

export interface MapRunPlan {
  items: AsyncIterable<unknown>;
  /** Items counted before the run (it can only grow, if objects appear meanwhile). */
  total: number;
  maxConcurrency: number;
  tolerance: Tolerance;
  runItem(value: unknown, index: number): Promise<ItemOutcome>;
  /** The record of an item that was never started. */
  pendingItem(value: unknown, index: number): Promise<ResultRecord>;
  onOutcome(outcome: ItemOutcome, index: number): void;
}

export interface MapRunResult {
  exceeded: boolean;
  total: number;
  counts: Record<ResultStatus, number>;
}

/** What the engine builds for a Map Run's children: an engine over the ItemProcessor. */
export interface ItemProcessorSpec {
  definition: Record<string, unknown>;
  stateMachineArn: string;
  stateMachines: StateMachineRegistry;
  executions: ExecutionRegistry;
}

export type ItemProcessorFactory = (spec: ItemProcessorSpec) => RegisteredStateMachine & {
  start(input: unknown, name?: string): { done: Promise<ExecutionRecord> };
};
