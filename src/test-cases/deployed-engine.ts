/**
 * Engines over a deployed stack, through the Step Functions API: each case started as
 * `<state machine ARN>#<case>` (Step Functions Local's convention), the emulators' and the compose
 * stack's alike.
 */
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createSfnRunner } from '../deploy/index.ts';
import { type StartedTarget, startTarget } from '../targets/index.ts';
import { TestCaseFileError } from '../workflow/mock-config.ts';
import { arns, partitionOf } from '../workflow/names.ts';
import { checkStateMachines, objectReader } from './engine-parts.ts';
import type { TestCaseSuite } from './suite.ts';
import type { CaseEngine, CaseEngineOptions } from './types.ts';

/**
 * The compose stack (`docker compose up`: LocalStack and Step Functions Local, or MiniStack), already
 * running and deployed by its `deploy` service, with the mock configuration mounted: nothing is
 * started or deployed here. The containers target (src/config.ts, src/targets/).
 */
export async function connectComposeEngine(
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
export function deployedEngine(engine: {
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
