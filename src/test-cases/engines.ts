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
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { type KitConfig, loadConfig } from '../config.ts';
import { createSfnRunner, deploy, resourceNames } from '../deploy/index.ts';
import type { EmbeddedEngine } from '../embedded/stepfunctions/index.ts';
import { mockedTaskHandlers, stateMachineNameOf } from '../embedded/stepfunctions/index.ts';
import { LocalStackServer } from '../emulator/localstack.ts';
import { MiniStackServer } from '../emulator/ministack.ts';
import { connectDeployed, type StartedTarget, startEmbeddedTarget, startTarget } from '../targets/index.ts';
import type { DefinitionName } from '../workflow/definition.ts';
import type { ExecutionRecord } from '../workflow/execution.ts';
import { TestCaseFileError } from '../workflow/mock-config.ts';
import { arns, partitionOf, retrainingNames } from '../workflow/names.ts';
import type { TestCaseSuite } from './suite.ts';

export const ENGINES = ['embedded', 'ministack', 'localstack'] as const;
export type EngineName = (typeof ENGINES)[number];
type EmulatorName = Exclude<EngineName, 'embedded'>;
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
}

export interface RunningEmulator {
  url: string;
  environment(): Record<string, string>;
  recentOutput(): string | Promise<string>;
}

/** Embedded retries wait this long; the emulators scale the ASL's intervals by RETRY_WAIT_SCALE. */
const RETRY_DELAY_MS = 10;
const RETRY_WAIT_SCALE = 0.05;

/** The name a stage deploys a definition's state machine under. */
function deployedName(definition: DefinitionName, stage: string): string {
  const names = resourceNames(stage);
  const byDefinition: Record<DefinitionName, string> = {
    classification: names.stateMachine,
    intake: names.intakeStateMachine,
    batch: names.batchStateMachine,
    retraining: retrainingNames(stage).stateMachine,
  };
  return byDefinition[definition];
}

/** The state machines the kit deploys must be the ones the test cases are written for. */
function checkStateMachines(suites: TestCaseSuite[], config: KitConfig): void {
  for (const { expected } of suites) {
    const deployed = deployedName(expected.definition, config.stage);
    if (deployed !== expected.stateMachine)
      throw new TestCaseFileError(
        `the test cases are written for state machine "${expected.stateMachine}", but stage "${config.stage}" deploys "${deployed}"`,
      );
  }
}

/** The suite of `stateMachine`, or an error naming the ones this engine serves. */
function suiteOf(suites: TestCaseSuite[], stateMachine: string): TestCaseSuite {
  const suite = suites.find((candidate) => candidate.expected.stateMachine === stateMachine);
  if (!suite)
    throw new TestCaseFileError(
      `this engine runs the cases of ${suites.map((s) => s.expected.stateMachine).join(', ')}, not of ${stateMachine}`,
    );
  return suite;
}

function objectReader({ clients, names }: StartedTarget) {
  return async (key: string) => {
    try {
      const object = await clients.s3.send(new GetObjectCommand({ Bucket: names.bucket, Key: key }));
      return await object.Body?.transformToString();
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  };
}

async function startEmbedded(suites: TestCaseSuite[], options: CaseEngineOptions): Promise<CaseEngine> {
  const dataDir = await mkdtemp(join(tmpdir(), 'scones-test-cases-'));
  const target = await startEmbeddedTarget({
    dataDir,
    runtime: options.realRetryWaits ? {} : { retryDelayMs: RETRY_DELAY_MS },
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

/**
 * The compose stack (`docker compose up`: LocalStack and Step Functions Local, or MiniStack), already
 * running and deployed by its `deploy` service, with the mock configuration mounted: nothing is
 * started or deployed here. The containers target (src/config.ts, src/targets/).
 */
async function connectComposeEngine(
  suites: TestCaseSuite[],
  options: CaseEngineOptions,
): Promise<CaseEngine> {
  const target = await startTarget({ target: 'compose' });
  try {
    const { config } = target;
    checkStateMachines(suites, config);
    const { Account: accountId = '000000000000' } = await target.clients.sts.send(
      new GetCallerIdentityCommand({}),
    );
    const scope = { partition: partitionOf(config.region), region: config.region, accountId };
    const stateMachineArns = new Map<string, string>();
    for (const { expected } of suites) {
      const stateMachineArn = arns(scope, config).stateMachine(expected.stateMachine);
      await target.clients.sfn
        .send(new DescribeStateMachineCommand({ stateMachineArn }))
        .catch((error: Error) => {
          throw new Error(
            `no state machine ${stateMachineArn} at ${config.endpointFor('sfn')} (${error.name}): start the stack with \`docker compose up\`; its deploy service deploys it`,
          );
        });
      stateMachineArns.set(expected.stateMachine, stateMachineArn);
    }
    return deployedEngine({
      name: 'compose',
      describe: `the compose stack (Step Functions at ${config.endpointFor('sfn')})`,
      target,
      startupMs: 0,
      stateMachineArns,
      options,
      stop: async () => {},
    });
  } catch (error) {
    await target.stop();
    throw error;
  }
}

/** Cases of a deployed state machine through the Step Functions API: `<ARN>#<case>`, as AWS documents. */
function deployedEngine(engine: {
  name: CaseEngine['name'];
  describe: string;
  target: StartedTarget;
  startupMs: number;
  /** Deployed ARN by state machine name. */
  stateMachineArns: Map<string, string>;
  options: CaseEngineOptions;
  stop: () => Promise<void>;
}): CaseEngine {
  const { target, stateMachineArns } = engine;
  const poll = engine.options.poll ?? { pollMs: 20, maxPollMs: 200 };
  return {
    name: engine.name,
    describe: engine.describe,
    config: target.config,
    startupMs: engine.startupMs,
    run(stateMachine, testCase, input, executionName) {
      const stateMachineArn = stateMachineArns.get(stateMachine);
      if (!stateMachineArn)
        return Promise.reject(
          new TestCaseFileError(`${engine.name} has no state machine ${stateMachine} deployed`),
        );
      return createSfnRunner(target.clients.sfn, `${stateMachineArn}#${testCase}`, {
        history: true,
        ...poll,
      }).run(input as never, executionName);
    },
    readObject: objectReader(target),
    async stop() {
      await target.stop();
      await engine.stop();
    },
  };
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

/** The one mock configuration all suites share (the emulators load it when they start). */
function mockConfigPathOf(suites: TestCaseSuite[]): string {
  const paths = new Set(suites.map((suite) => suite.mockConfigPath));
  const [path] = paths;
  if (paths.size !== 1 || path === undefined)
    throw new TestCaseFileError(
      `the suites must share one mock configuration; got ${[...paths].join(', ') || 'none'}`,
    );
  return path;
}

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
