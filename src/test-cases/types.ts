/** Shapes of the test-case engines (engines.ts, deployed-engine.ts). */
import type { KitConfig } from '../config.ts';
import type { ExecutionRecord } from '../workflow/execution.ts';

export const ENGINES = ['embedded', 'ministack', 'localstack'] as const;
export type EngineName = (typeof ENGINES)[number];
export type EmulatorName = Exclude<EngineName, 'embedded'>;
/** The engines, and the compose stack, which runs the cases but is started by `docker compose up`. */
export type CaseEngineName = EngineName | 'compose';

export interface CaseEngine {
  name: CaseEngineName;
  /** One line for reports: what runs, where. */
  describe: string;
  config: KitConfig;
  /** Milliseconds from the start of the engine's server until it answered (0 in-process). */
  startupMs: number;
  /** One execution of `stateMachine` (a suite's `expected.stateMachine`) under the mocks of `testCase`. */
  run(
    stateMachine: string,
    testCase: string,
    input: Record<string, unknown>,
    executionName: string,
  ): Promise<ExecutionRecord>;
  /** Text of an object in the kit's bucket; undefined when there is none. */
  readObject(key: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

export interface CaseEngineOptions {
  /** Sleep the ASL's real Retry intervals (seconds each) instead of shortened ones. */
  realRetryWaits?: boolean;
  /** Deployment progress (emulators); default silent. */
  log?: (line: string) => void;
  /** DescribeExecution polling (emulators): first wait and cap, ms; default 20 doubling to 200. */
  poll?: { pollMs: number; maxPollMs: number };
  /**
   * An emulator already running with the suite's mock configuration loaded (the test run shares
   * one between files): deployed into, not started, and left running by `stop()`.
   */
  server?: RunningEmulator;
  /**
   * Another template of the classification state machine to run the cases on (same state names,
   * same placeholders): the JSONata twin of the tests. Default the repository's ASL file.
   */
  classificationTemplate?: string;
}

export interface RunningEmulator {
  url: string;
  environment(): Record<string, string>;
  recentOutput(): string | Promise<string>;
}
