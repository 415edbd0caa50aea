/**
 * The classification workflow's JSONata twin (test/fixtures/statemachine/, a test fixture) beside
 * the JSONPath definition, on two embedded tiers of the same code and stub endpoint: warmed alike,
 * then their concurrency-16 rounds interleaved (JSONPath, JSONata, JSONPath, ...), since these
 * machines drift within a minute. Every execution must decide, as the JSONPath ones do.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { EmbeddedRuntime } from '../src/embedded/runtime.ts';
import { REPO_WORKFLOW_CODE } from '../src/embedded/stepfunctions/index.ts';
import { DEFINITION_PATH } from '../src/workflow/definition.ts';
import type { ExecutionRecord } from '../src/workflow/execution.ts';
import { type BenchTier, putStaged, type StagedImages, startBenchTier } from './bench-images.ts';
import type { BenchChecks } from './checks.ts';
import { runExecutions } from './executions.ts';
import { perSecond, summarizeLatencies } from './stats.ts';

const TWIN = readFileSync(
  new URL('../test/fixtures/statemachine/image-classification.jsonata.asl.json', import.meta.url),
  'utf8',
);

export function startJsonataTier(): Promise<BenchTier> {
  return startBenchTier('bench-jsonata', {
    workflow: { ...REPO_WORKFLOW_CODE, definitions: { [basename(DEFINITION_PATH)]: TWIN } },
  });
}

type Run = (i: number) => Promise<ExecutionRecord>;

/** The twin tier's executions over the images the JSONPath tier has (put into its bucket once). */
async function runner(runtime: EmbeddedRuntime, staged: StagedImages): Promise<Run> {
  await putStaged(runtime, staged);
  const { keys } = staged;
  return async (i: number) => {
    const record = await runtime.run({
      image_data: '',
      s3_bucket: runtime.config.bucket,
      s3_key: keys[i % keys.length] as string,
    });
    return { ...record, history: [] };
  };
}

export interface TwinFigures {
  rounds: number;
  executions_per_s_c16: { jsonpath: number; jsonata: number };
  executions_per_s_c16_rounds: { jsonpath: number[]; jsonata: number[] };
  p50_ms_c16: { jsonpath: number; jsonata: number };
  p99_ms_c16: { jsonpath: number; jsonata: number };
  /** JSONata's median rate over JSONPath's. */
  jsonata_over_jsonpath: number;
}

export async function compareJsonataTwin(
  runPath: Run,
  jsonata: EmbeddedRuntime,
  staged: StagedImages,
  options: { images: number; warmup: number; rounds: number; concurrency: number; checks: BenchChecks },
): Promise<TwinFigures> {
  const { images, concurrency, checks } = options;
  const runData = await runner(jsonata, staged);
  for (const [name, run] of [
    ['JSONPath', runPath],
    ['JSONata', runData],
  ] as const) {
    const warm = await runExecutions(options.warmup, concurrency, run);
    checks.executions(`${name} twin warm-up`, warm.tally, warm.examples);
  }
  const rounds = {
    jsonpath: [] as Awaited<ReturnType<typeof runExecutions>>[],
    jsonata: [] as Awaited<ReturnType<typeof runExecutions>>[],
  };
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, run] of [
      ['jsonpath', runPath],
      ['jsonata', runData],
    ] as const) {
      const result = await runExecutions(images, concurrency, run);
      checks.executions(`${name} c${concurrency}, round ${round + 1}`, result.tally, result.examples);
      rounds[name].push(result);
    }
  }
  const median = (list: Awaited<ReturnType<typeof runExecutions>>[]) =>
    [...list].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(list.length / 2)] as (typeof list)[number];
  const [path, data] = [median(rounds.jsonpath), median(rounds.jsonata)];
  const rate = { jsonpath: perSecond(images, path.wallMs), jsonata: perSecond(images, data.wallMs) };
  const [pathLatency, dataLatency] = [
    summarizeLatencies(path.latenciesMs),
    summarizeLatencies(data.latenciesMs),
  ];
  return {
    rounds: options.rounds,
    executions_per_s_c16: rate,
    executions_per_s_c16_rounds: {
      jsonpath: rounds.jsonpath.map((round) => perSecond(images, round.wallMs)),
      jsonata: rounds.jsonata.map((round) => perSecond(images, round.wallMs)),
    },
    p50_ms_c16: { jsonpath: pathLatency.p50_ms, jsonata: dataLatency.p50_ms },
    p99_ms_c16: { jsonpath: pathLatency.p99_ms, jsonata: dataLatency.p99_ms },
    jsonata_over_jsonpath: Math.round((rate.jsonata / rate.jsonpath) * 100) / 100,
  };
}
