/**
 * The three engines the test cases run on, behind one interface:
 * - `embedded`: the ASL in-process; the mocked states answer through mocked-tasks.ts, the rest
 *   (RecordReviewItem) runs against the embedded S3;
 * - `ministack` and `localstack`: the emulator started as a host process with `SFN_MOCK_CONFIG` set
 *   to the very same file, the bucket, roles and state machine deployed through the deploy module,
 *   and each case started as `<state machine ARN>#<case>` (Step Functions Local's convention).
 *   Functions are not deployed: every case mocks the Lambda states, and LocalStack cannot run
 *   functions without a container engine; the two emulators are set up alike.
 * Retry waits are shortened on all three (the ASL keeps its intervals) unless `realRetryWaits`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createS3Client, createSfnClient, createStsClient } from '../aws/clients.ts';
import { type KitConfig, loadConfig } from '../config.ts';
import { createSfnRunner, deploy, resourceNames } from '../deploy/index.ts';
import type { ExecutionRecord } from '../embedded/engine.ts';
import { mockedTaskHandlers, stateMachineNameOf } from '../embedded/mocked-tasks.ts';
import { startEmbeddedRuntime } from '../embedded/runtime.ts';
import { LocalStackServer } from '../emulator/localstack.ts';
import { MiniStackServer } from '../emulator/ministack.ts';
import { arns, partitionOf } from '../workflow/names.ts';
import type { ImageEvent } from '../workflow/types.ts';
import { TestCaseFileError } from './mock-config.ts';
import type { TestCaseSuite } from './suite.ts';

export const ENGINES = ['embedded', 'ministack', 'localstack'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface CaseEngine {
  name: EngineName | 'compose';
  /** One line for reports: what runs, where. */
  describe: string;
  config: KitConfig;
  /** Milliseconds from the start of the engine's server until it answered (0 in-process). */
  startupMs: number;
  run(testCase: string, input: ImageEvent, executionName: string): Promise<ExecutionRecord>;
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

export function startCaseEngine(
  name: EngineName,
  suite: TestCaseSuite,
  options: CaseEngineOptions = {},
): Promise<CaseEngine> {
  if (name === 'embedded') return startEmbedded(suite, options);
  return startEmulator(name, suite, options);
}

/** The state machine the kit deploys must be the one the test cases are written for. */
function checkStateMachine(suite: TestCaseSuite, config: KitConfig): void {
  const deployed = resourceNames(config.stage).stateMachine;
  if (deployed !== suite.expected.stateMachine)
    throw new TestCaseFileError(
      `the test cases are written for state machine "${suite.expected.stateMachine}", but stage "${config.stage}" deploys "${deployed}"`,
    );
}

function objectReader(s3: S3Client, bucket: string) {
  return async (key: string) => {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await object.Body?.transformToString();
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  };
}

async function startEmbedded(suite: TestCaseSuite, options: CaseEngineOptions): Promise<CaseEngine> {
  const dataDir = await mkdtemp(join(tmpdir(), 'scones-test-cases-'));
  const runtime = await startEmbeddedRuntime({
    dataDir,
    ...(options.realRetryWaits ? {} : { retryDelayMs: RETRY_DELAY_MS }),
  });
  const machine = stateMachineNameOf(runtime.engine.stateMachineArn);
  try {
    checkStateMachine(suite, runtime.config);
  } catch (error) {
    await runtime.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    name: 'embedded',
    describe: 'embedded engine (aws-local-stepfunctions, in-process)',
    config: runtime.config,
    startupMs: 0,
    run: (testCase, input, executionName) =>
      runtime.engine.run(input, executionName, {
        taskHandlers: mockedTaskHandlers(suite.mockConfig, machine, testCase),
      }),
    readObject: objectReader(runtime.s3, runtime.config.bucket),
    async stop() {
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

interface EmulatorServer extends RunningEmulator {
  startupMs?: number;
  stop(): Promise<void>;
}

async function startServer(
  name: 'ministack' | 'localstack',
  suite: TestCaseSuite,
  options: CaseEngineOptions,
): Promise<EmulatorServer> {
  const started = Date.now();
  if (name === 'localstack') {
    const localstack = new LocalStackServer().withMockConfig(suite.mockConfigPath);
    return (options.realRetryWaits ? localstack : localstack.withRetryWaitScale(RETRY_WAIT_SCALE)).start();
  }
  const ministack = await new MiniStackServer()
    .withEnvironment({
      SFN_MOCK_CONFIG: suite.mockConfigPath,
      ...(options.realRetryWaits ? {} : { SFN_WAIT_SCALE: String(RETRY_WAIT_SCALE) }),
    })
    .start();
  return Object.assign(ministack, { startupMs: Date.now() - started });
}

async function startEmulator(
  name: 'ministack' | 'localstack',
  suite: TestCaseSuite,
  options: CaseEngineOptions,
): Promise<CaseEngine> {
  const running = options.server;
  const server: EmulatorServer = running
    ? {
        url: running.url,
        environment: () => running.environment(),
        recentOutput: () => running.recentOutput(),
        stop: async () => {},
      }
    : await startServer(name, suite, options);
  try {
    const config = loadConfig({ SCONES_TARGET: 'emulator', ...server.environment() });
    checkStateMachine(suite, config);
    // The state machine is what the cases test: no functions (see above), no event wiring.
    const { stateMachineArn } = await deploy({
      config,
      functions: false,
      events: false,
      log: options.log ?? (() => {}),
    });
    return deployedEngine({
      name,
      describe: `${name === 'localstack' ? 'LocalStack' : 'MiniStack'} on ${server.url} (SFN_MOCK_CONFIG)`,
      config,
      startupMs: server.startupMs ?? 0,
      stateMachineArn,
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
 * started or deployed here. Endpoints as for `SCONES_TARGET=containers` (src/config.ts).
 */
export async function connectComposeEngine(
  suite: TestCaseSuite,
  options: CaseEngineOptions = {},
): Promise<CaseEngine> {
  const config = loadConfig({ ...process.env, SCONES_TARGET: 'containers' });
  checkStateMachine(suite, config);
  const sts = createStsClient(config);
  const sfn = createSfnClient(config);
  try {
    const { Account: accountId = '000000000000' } = await sts.send(new GetCallerIdentityCommand({}));
    const scope = { partition: partitionOf(config.region), region: config.region, accountId };
    const stateMachineArn = arns(scope, config).stateMachine(suite.expected.stateMachine);
    await sfn.send(new DescribeStateMachineCommand({ stateMachineArn })).catch((error: Error) => {
      throw new Error(
        `no state machine ${stateMachineArn} at ${config.endpointFor('sfn')} (${error.name}): start the stack with \`docker compose up\`; its deploy service deploys it`,
      );
    });
    return deployedEngine({
      name: 'compose',
      describe: `the compose stack (Step Functions at ${config.endpointFor('sfn')})`,
      config,
      startupMs: 0,
      stateMachineArn,
      options,
      stop: async () => {},
    });
  } finally {
    sts.destroy();
    sfn.destroy();
  }
}

/** Cases of a deployed state machine through the Step Functions API: `<ARN>#<case>`, as AWS documents. */
function deployedEngine(engine: {
  name: CaseEngine['name'];
  describe: string;
  config: KitConfig;
  startupMs: number;
  stateMachineArn: string;
  options: CaseEngineOptions;
  stop: () => Promise<void>;
}): CaseEngine {
  const { config, stateMachineArn } = engine;
  const poll = engine.options.poll ?? { pollMs: 20, maxPollMs: 200 };
  const s3 = createS3Client(config);
  const sfn = createSfnClient(config);
  return {
    name: engine.name,
    describe: engine.describe,
    config,
    startupMs: engine.startupMs,
    run: (testCase, input, executionName) =>
      createSfnRunner(sfn, `${stateMachineArn}#${testCase}`, { history: true, ...poll }).run(
        input,
        executionName,
      ),
    readObject: objectReader(s3, config.bucket),
    async stop() {
      s3.destroy();
      sfn.destroy();
      await engine.stop();
    },
  };
}

/** A short id that keeps the execution names of one run apart from any earlier run's. */
export function runId(): string {
  return randomUUID().slice(0, 8);
}
