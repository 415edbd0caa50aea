/**
 * `scones test-cases [--target embedded|emulator|localstack|compose] [--case NAME]...`: runs the
 * state machine's test cases (statemachine/test-cases/, AWS's mock-config format) on one engine,
 * prints the table and exits non-zero when any case differs from its expected outcome. `emulator`
 * is the kit's emulator tier (MiniStack); it and `localstack` are started for the run and stopped
 * after. `compose` uses the running `docker compose up` stack (LocalStack and Step Functions Local
 * with the same file mounted as SFN_MOCK_CONFIG), deployed by its own deploy service.
 */
import { connectComposeEngine, type EngineName, runId, startCaseEngine } from '../test-cases/engines.ts';
import { runCases } from '../test-cases/run-cases.ts';
import { loadSuite, selectCases } from '../test-cases/suite.ts';
import { renderTable } from '../test-cases/table.ts';
import { log } from './log.ts';
import type { TEST_CASE_TARGETS } from './options.ts';

const ENGINE_OF: Record<(typeof TEST_CASE_TARGETS)[number], EngineName | 'compose'> = {
  embedded: 'embedded',
  emulator: 'ministack',
  localstack: 'localstack',
  compose: 'compose',
};

export interface TestCasesOptions {
  target: (typeof TEST_CASE_TARGETS)[number];
  case?: string[];
  json?: boolean;
  realRetryWaits?: boolean;
}

export async function testCasesCommand(options: TestCasesOptions): Promise<void> {
  const suite = await loadSuite();
  const cases = selectCases(suite, options.case ?? []);
  const name = ENGINE_OF[options.target];
  const engineOptions = {
    ...(options.realRetryWaits ? { realRetryWaits: true } : {}),
    log: (line: string) => log(`  ${line}`),
  };
  if (name === 'ministack' || name === 'localstack')
    log(
      `starting ${name} (first run installs it from its requirements file; LocalStack takes about a minute) ...`,
    );
  const engine =
    name === 'compose'
      ? await connectComposeEngine(suite, engineOptions)
      : await startCaseEngine(name, suite, engineOptions);
  try {
    // Emulators spend most of an execution waiting on their own threads: a few at once.
    const results = await runCases(engine, suite, {
      cases,
      concurrency: name === 'embedded' ? 1 : 4,
      runId: runId(),
    });
    if (options.json) for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
    else
      process.stdout.write(`${renderTable(results, `${cases.length} test cases on ${engine.describe}`)}\n`);
    if (results.some((result) => result.differences.length)) process.exitCode = 1;
  } finally {
    await engine.stop();
  }
}
