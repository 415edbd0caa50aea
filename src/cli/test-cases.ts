/**
 * `scones test-cases [--target embedded|emulator|localstack|compose] [--case NAME]...`: runs the
 * state machines' test cases (statemachine/test-cases/, AWS's mock-config format: the classification's
 * and the retraining's) on one engine,
 * prints the table and exits non-zero when any case differs from its expected outcome. `emulator`
 * is the kit's emulator tier (MiniStack); it and `localstack` are started for the run and stopped
 * after. `compose` uses the running `docker compose up` stack (LocalStack and Step Functions Local
 * with the same file mounted as SFN_MOCK_CONFIG), deployed by its own deploy service.
 */
import { type CaseEngineName, runId, startCaseEngine } from '../test-cases/engines.ts';
import { type CaseResult, runCases } from '../test-cases/run-cases.ts';
import { loadSuites, selectSuiteCases } from '../test-cases/suite.ts';
import { renderTable } from '../test-cases/table.ts';
import { log } from './log.ts';
import type { TEST_CASE_TARGETS } from './options.ts';

interface EngineChoice {
  engine: CaseEngineName;
  /** Started for the run, which takes a while the first time (said before). */
  started: boolean;
  /** Executions at once: emulators spend most of one waiting on their own threads. */
  concurrency: number;
}

const ENGINE_OF: Record<(typeof TEST_CASE_TARGETS)[number], EngineChoice> = {
  embedded: { engine: 'embedded', started: false, concurrency: 1 },
  emulator: { engine: 'ministack', started: true, concurrency: 4 },
  localstack: { engine: 'localstack', started: true, concurrency: 4 },
  compose: { engine: 'compose', started: false, concurrency: 4 },
};

export interface TestCasesOptions {
  target: (typeof TEST_CASE_TARGETS)[number];
  case?: string[];
  json?: boolean;
  realRetryWaits?: boolean;
}

export async function testCasesCommand(options: TestCasesOptions): Promise<void> {
  const suites = await loadSuites();
  const selected = selectSuiteCases(suites, options.case ?? []);
  const count = [...selected.values()].reduce((sum, cases) => sum + cases.length, 0);
  const choice = ENGINE_OF[options.target];
  const engineOptions = {
    ...(options.realRetryWaits ? { realRetryWaits: true } : {}),
    log: (line: string) => log(`  ${line}`),
  };
  if (choice.started)
    log(
      `starting ${choice.engine} (first run installs it from its requirements file; LocalStack takes about a minute) ...`,
    );
  const engine = await startCaseEngine(choice.engine, [...selected.keys()], engineOptions);
  try {
    const run = runId();
    const results: CaseResult[] = [];
    for (const [suite, cases] of selected) {
      results.push(
        ...(await runCases(engine, suite, { cases, concurrency: choice.concurrency, runId: run })),
      );
    }
    if (options.json) for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${renderTable(results, `${count} test cases on ${engine.describe}`)}\n`);
    if (results.some((result) => result.differences.length)) process.exitCode = 1;
  } finally {
    await engine.stop();
  }
}
