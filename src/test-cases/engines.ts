/**
 * The three engines the test cases run on, behind one interface, each over a target (src/targets/):
 * - `embedded`: the ASL in-process; the mocked states answer through mocked-tasks.ts, the rest
 *   (RecordReviewItem) runs against the embedded S3;
 * - `ministack` and `localstack`: the emulator started as a host process with `SFN_MOCK_CONFIG` set
 *   to the very same file, the bucket, roles and state machine deployed through the deploy module,
 *   and each case started as `<state machine ARN>#<case>` (Step Functions Local's convention).
 *   Functions are not deployed: every case mocks the Lambda states, and LocalStack cannot run
 *   functions without a container engine; the two emulators are set up alike.
 * Retry waits are shortened on all three (the ASL keeps its intervals) unless `realRetryWaits`.
 * An engine serves every suite it is started with (one per state machine: the classification, the
 * retraining); `run` names the state machine of the case.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig } from '../config.ts';
import { deploy } from '../deploy/index.ts';
import type { EmbeddedEngine } from '../embedded/stepfunctions/index.ts';
import {
  mockedTaskHandlers,
  REPO_WORKFLOW_CODE,
  stateMachineNameOf,
} from '../embedded/stepfunctions/index.ts';
import { LocalStackServer } from '../emulator/localstack.ts';
import { MiniStackServer } from '../emulator/ministack.ts';
import { connectDeployed, startEmbeddedTarget } from '../targets/index.ts';
import { DEFINITION_PATH, type DefinitionName } from '../workflow/definition.ts';
import { TestCaseFileError } from '../workflow/mock-config.ts';
import { connectComposeEngine, deployedEngine } from './deployed-engine.ts';
import { checkStateMachines, mockConfigPathOf, objectReader, suiteOf } from './engine-parts.ts';
import type { TestCaseSuite } from './suite.ts';
import type {
  CaseEngine,
  CaseEngineName,
  CaseEngineOptions,
  EmulatorName,
  RunningEmulator,
} from './types.ts';

export type { CaseEngine, CaseEngineName, CaseEngineOptions, EngineName, RunningEmulator } from './types.ts';
export { ENGINES } from './types.ts';

/** Embedded retries wait this long; the emulators scale the ASL's intervals by RETRY_WAIT_SCALE. */
const RETRY_DELAY_MS = 10;
const RETRY_WAIT_SCALE = 0.05;

async function startEmbedded(suites: TestCaseSuite[], options: CaseEngineOptions): Promise<CaseEngine> {
  const dataDir = await mkdtemp(join(tmpdir(), 'scones-test-cases-'));
  const target = await startEmbeddedTarget({
    dataDir,
    runtime: {
      ...(options.realRetryWaits ? {} : { retryDelayMs: RETRY_DELAY_MS }),
      ...(options.classificationTemplate
        ? {
            workflow: {
              ...REPO_WORKFLOW_CODE,
              definitions: { [basename(DEFINITION_PATH)]: options.classificationTemplate },
            },
          }
        : {}),
    },
  });
  const { runtime } = target;
  // The runtime's engines by definition; the retraining's is built on first use.
  const engines: Partial<Record<DefinitionName, () => Promise<EmbeddedEngine>>> = {
    classification: async () => runtime.engine,
    retraining: () => runtime.retraining(),
  };
  const stop = async () => {
    await target.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    checkStateMachines(suites, target.config);
    const missing = suites.filter((suite) => !engines[suite.expected.definition]);
    if (missing.length)
      throw new TestCaseFileError(
        `the embedded engine runs no test cases of ${missing.map((suite) => suite.expected.definition).join(', ')}`,
      );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name: 'embedded',
    describe: 'embedded engine (aws-local-stepfunctions, in-process)',
    config: target.config,
    startupMs: 0,
    async run(stateMachine, testCase, input, executionName) {
      const suite = suiteOf(suites, stateMachine);
      const engine = await (engines[suite.expected.definition] as () => Promise<EmbeddedEngine>)();
      return engine.run(input as never, executionName, {
        taskHandlers: mockedTaskHandlers(
          suite.mockConfig,
          stateMachineNameOf(engine.stateMachineArn),
          testCase,
        ),
      });
    },
    readObject: objectReader(target),
    stop,
  };
}

interface EmulatorServer extends RunningEmulator {
  startupMs?: number;
  stop(): Promise<void>;
}

/** The emulators the cases run on as host processes, each reading the mock configuration. */
const EMULATOR_HOSTS: Record<EmulatorName, { label: string; start: typeof startMiniStack }> = {
  ministack: { label: 'MiniStack', start: startMiniStack },
  localstack: {
    label: 'LocalStack',
    start: (mockConfigPath, options) => {
      const localstack = new LocalStackServer().withMockConfig(mockConfigPath);
      return (options.realRetryWaits ? localstack : localstack.withRetryWaitScale(RETRY_WAIT_SCALE)).start();
    },
  },
};

async function startMiniStack(mockConfigPath: string, options: CaseEngineOptions): Promise<EmulatorServer> {
  const started = Date.now();
  const ministack = await new MiniStackServer()
    .withEnvironment({
      SFN_MOCK_CONFIG: mockConfigPath,
      ...(options.realRetryWaits ? {} : { SFN_WAIT_SCALE: String(RETRY_WAIT_SCALE) }),
    })
    .start();
  return Object.assign(ministack, { startupMs: Date.now() - started });
}

async function startEmulator(
  name: EmulatorName,
  suites: TestCaseSuite[],
  options: CaseEngineOptions,
): Promise<CaseEngine> {
  const host = EMULATOR_HOSTS[name];
  // A server shared by the whole run (the tests' global setup) is used as it is and outlives this engine.
  const running = options.server;
  const server: EmulatorServer = running
    ? {
        url: running.url,
        environment: () => running.environment(),
        recentOutput: () => running.recentOutput(),
        stop: async () => {},
      }
    : await host.start(mockConfigPathOf(suites), options);
  try {
    const config = loadConfig({ SCONES_TARGET: 'emulator', ...server.environment() });
    checkStateMachines(suites, config);
    // The state machines are what the cases test: no functions (see above), no event wiring.
    const deployed = await deploy({
      config,
      functions: false,
      events: false,
      log: options.log ?? (() => {}),
      ...(options.classificationTemplate
        ? { definitions: { classification: options.classificationTemplate } }
        : {}),
    });
    const arnOf: Record<DefinitionName, string | undefined> = {
      classification: deployed.stateMachineArn,
      intake: deployed.intakeStateMachineArn,
      batch: deployed.batchStateMachineArn,
      retraining: deployed.retrainingStateMachineArn,
    };
    return deployedEngine({
      name,
      describe: `${host.label} on ${server.url} (SFN_MOCK_CONFIG)`,
      target: connectDeployed(config),
      startupMs: server.startupMs ?? 0,
      stateMachineArns: new Map(
        suites.map((suite) => [suite.expected.stateMachine, arnOf[suite.expected.definition] ?? '']),
      ),
      options,
      stop: () => server.stop(),
    });
  } catch (error) {
    const output = await server.recentOutput();
    await server.stop();
    throw new Error(`${(error as Error).message}\n${name} output:\n${output}`, { cause: error });
  }
}

/** How each engine starts; the compose stack is only connected to. */
const STARTERS: Record<
  CaseEngineName,
  (suites: TestCaseSuite[], options: CaseEngineOptions) => Promise<CaseEngine>
> = {
  embedded: startEmbedded,
  ministack: (suites, options) => startEmulator('ministack', suites, options),
  localstack: (suites, options) => startEmulator('localstack', suites, options),
  compose: connectComposeEngine,
};

/** An engine serving `suites` (one suite, or every state machine's: loadSuites). */
export function startCaseEngine(
  name: CaseEngineName,
  suites: TestCaseSuite | TestCaseSuite[],
  options: CaseEngineOptions = {},
): Promise<CaseEngine> {
  return STARTERS[name](Array.isArray(suites) ? suites : [suites], options);
}

/** A short id that keeps the execution names of one run apart from any earlier run's. */
export function runId(): string {
  return randomUUID().slice(0, 8);
}
