/**
 * What the README's figures table says for each benchmark bench/report.ts knows: a row format per
 * benchmark name, reading the figures its `.scones/bench/<name>.json` holds.
 */

export type Figures = Record<string, unknown>;

/** A figure by path, e.g. at(f, 'engine_own_ms.sequential.mean'); undefined when absent. */
export function at(figures: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], figures);
}

export interface Known {
  name: string;
  script: string;
  /** The row's figures; throws (or yields "undefined") when the file is of another shape. */
  figures(f: Figures): string;
}

const op = (o: unknown) =>
  `p50 ${at(o, 'p50_ms')} ms, p99 ${at(o, 'p99_ms')} ms, ${at(o, 'ops_per_s')}/s, server CPU ${at(o, 'server_cpu_us_per_request')} µs`;

/** ", median of 5 rounds (lowest-highest)" when a bench repeated its run. */
function rounds(rates: unknown): string {
  if (!Array.isArray(rates) || rates.length < 2) return '';
  const numbers = rates.map(Number);
  return `, median of ${numbers.length} rounds (${Math.min(...numbers)}-${Math.max(...numbers)})`;
}

export const KNOWN: Known[] = [
  {
    name: 'embedded',
    script: 'npm run bench',
    figures: (f) =>
      `${f.images} executions (stub endpoint): p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms one at a time; ` +
      `${f.executions_per_s_c16} executions/s at concurrency 16${rounds(f.executions_per_s_c16_rounds)} (p99 ${f.p99_ms_c16} ms), ` +
      `CPU ${at(f, 'cpu_us_per_execution_c16.total')} µs per execution (engine's thread ${at(f, 'cpu_us_per_execution_c16.main thread')} µs); ` +
      `engine's own time (history) mean ${at(f, 'engine_own_ms.sequential.mean')} ms, p99 ${at(f, 'engine_own_ms.sequential.p99')} ms; ` +
      `parts alone p50: S3 GET ${f.s3_get_p50_ms} ms, image check ${f.image_check_p50_ms} ms, endpoint ${f.endpoint_call_p50_ms} ms` +
      (f.jsonata_twin
        ? `; the JSONata twin, rounds interleaved with JSONPath's: ${at(f, 'jsonata_twin.executions_per_s_c16.jsonata')} against ${at(f, 'jsonata_twin.executions_per_s_c16.jsonpath')} executions/s at concurrency 16 (${at(f, 'jsonata_twin.jsonata_over_jsonpath')}x), p50 ${at(f, 'jsonata_twin.p50_ms_c16.jsonata')} against ${at(f, 'jsonata_twin.p50_ms_c16.jsonpath')} ms`
        : ''),
  },
  {
    name: 'model',
    script: 'npm run bench:model',
    figures: (f) =>
      `training ${f.train_s} s (epochs ${f.epochs}, members ${f.members}), test accuracy ${f.test_accuracy}; ` +
      `endpoint p99 ${f.endpoint_p99_ms_c8} ms at concurrency 8, ${f.endpoint_rps} requests/s; staging ${f.stage_s} s`,
  },
  {
    name: 'emulator',
    script: 'npm run bench:emulator',
    figures: (f) =>
      `${f.images} executions: MiniStack p50 ${f.emulator_p50_ms} ms vs embedded ${f.embedded_p50_ms} ms (${f.ratio}x); ` +
      `engine's own time (history) p50 MiniStack ${at(f, 'engine_own_ms.emulator.p50')} ms, embedded ${at(f, 'engine_own_ms.embedded.p50')} ms ` +
      `(mean ${at(f, 'engine_own_ms.embedded.mean')} ms); at concurrency ${f.concurrency}: ${f.emulator_throughput_per_s} vs ${f.embedded_throughput_per_s} executions/s; ` +
      `${f.decision_mismatches} differing decisions`,
  },
  {
    name: 'servers',
    script: 'npm run bench:servers',
    figures: (f) =>
      `server CPU per request: local S3 GET 2 KiB ${at(f, 'local_s3_get.server_cpu_us_per_request')} µs ` +
      `(s3rver ${at(f, 's3rver_get.server_cpu_us_per_request')} µs), endpoint invocation ${at(f, 'endpoint_invoke.server_cpu_us_per_request')} µs; ` +
      `${f.count} requests each at concurrency 8`,
  },
  {
    name: 'endpoint',
    script: 'npm run bench:endpoint',
    figures: (f) =>
      `SDK: p50 ${at(f, 'sdk_sequential.p50_ms')} ms one at a time, ${at(f, 'sdk_concurrency8.per_s')} requests/s at concurrency 8; ` +
      `bare HTTP: ${at(f, 'raw_http_concurrency8.per_s')} requests/s; CPU per request (client + server) ` +
      `${at(f, 'sdk_concurrency8.cpu_us_per_request')} µs SDK, ${at(f, 'raw_http_concurrency8.cpu_us_per_request')} µs bare`,
  },
  {
    name: 'stage',
    script: 'npm run bench:stage',
    figures: (f) =>
      `${f.objects} objects staged in ${f.stage_s} s (${f.stage_cpu_s} s CPU), re-run ${f.restage_s} s with 0 uploads (best of ${f.runs})`,
  },
  {
    name: 'batch',
    script: 'npm run bench:batch',
    figures: (f) =>
      `${f.batch_images} images under one prefix as one batch (Distributed Map, MaxConcurrency ${f.batch_max_concurrency}, stub endpoint): ` +
      `${(Number(f.batch_wall_ms) / 1000).toFixed(1)} s, ${f.batch_images_per_s} images/s; peak RSS ${f.batch_rss_peak_mb} MB (${f.batch_rss_before_mb} MB before), peak heap ${f.batch_heap_peak_mb} MB`,
  },
  {
    name: 'profile',
    script: 'npm run bench:profile',
    figures: (f) => {
      const stages = Object.entries((f.stages_us_per_execution ?? {}) as Record<string, number>)
        .sort(([, a], [, b]) => b - a)
        .slice(0, 6)
        .map(([stage, us]) => `${stage} ${Math.round(us)}`)
        .join(', ');
      return (
        `${f.executions} executions at concurrency ${f.concurrency}: ${f.cpu_us_per_execution} µs CPU per execution ` +
        `(engine's thread ${f.main_thread_us_per_execution} µs); largest stages, µs per execution: ${stages}`
      );
    },
  },
  {
    name: 'load',
    script: 'npm run bench:load',
    figures: (f) => {
      const run = (label: string, r: unknown) =>
        `${label}: ${at(r, 'uploaded')} uploads at ${at(r, 'uploads_per_s')}/s, ${at(r, 'decisions_per_s')} decisions/s, ` +
        `PUT to decision p50 ${at(r, 'e2e_p50_ms')} ms, p99 ${at(r, 'e2e_p99_ms')} ms, lost ${at(r, 'lost')}, failed ${at(r, 'failed')}`;
      const bursts = Object.keys(f)
        .filter((key) => key.startsWith('burst_'))
        .map((key) => run(`burst of ${key.slice('burst_'.length)}`, f[key]));
      return [
        ...bursts,
        run(`stream at ${at(f, 'stream.rate_per_s')}/s for ${at(f, 'stream.seconds')} s`, f.stream),
        `sustained ${f.sustained} (target ${f.target_uploads_per_s} uploads/s); data capture ${f.capture ? 'on' : 'off'}`,
      ].join('; ');
    },
  },
  {
    name: 'up',
    script: 'npm run bench:up',
    figures: (f) =>
      `scones up, ${f.count} uploads through the S3 API: PUT to decision line p50 ${f.put_to_decision_stream_p50_ms} ms, ` +
      `p99 ${f.put_to_decision_stream_p99_ms} ms one at a time; burst p50 ${f.put_to_decision_burst_p50_ms} ms, ` +
      `p99 ${f.put_to_decision_burst_p99_ms} ms`,
  },
  {
    name: 'monitor',
    script: 'npm run bench:monitor',
    figures: (f) =>
      `${f.records} captured records over ${f.span_days} days: report in ${f.report_s} s (CPU ${f.report_cpu_s} s, ` +
      `peak RSS ${f.peak_rss_mb} MB, ${f.report_html_kb} KB of HTML); review page first render with ` +
      `${f.review_pending_items} pending items ${f.review_first_render_ms} ms`,
  },
  {
    name: 'cli',
    script: 'npm run bench:cli',
    figures: (f) =>
      `median of ${f.runs}: scones --help ${f.help_ms} ms (target ${at(f, 'targets.help_ms')}), ` +
      `scones classify --stub one.png ${f.classify_stub_ms} ms (target ${at(f, 'targets.classify_stub_ms')}); ` +
      `through npx: ${f.npx_help_ms} ms and ${f.npx_classify_stub_ms} ms`,
  },
  {
    name: 'sagemaker',
    script: 'npm run bench:sagemaker',
    figures: (f) =>
      `training job of the notebook's settings (${at(f, 'training.hyperparameters.num_training_samples')} training images, ` +
      `${f.training_epochs} epochs) through the local SageMaker API: ${at(f, 'training.status')} in ${f.training_wall_s} s, ` +
      `validation accuracy ${f.training_validation_accuracy} (target ${at(f, 'targets.training_s')} s, ` +
      `${at(f, 'targets.validation_accuracy')}); CreateEndpoint → InService min ${f.in_service_min_ms}, ` +
      `median ${f.in_service_median_ms}, max ${f.in_service_max_ms} ms over ${f.in_service_runs} runs ` +
      `(target ${at(f, 'targets.in_service_ms')} ms); what variant routing adds to InvokeEndpoint, CPU per request: ` +
      `SDK ${f.routing_overhead_cpu_us} µs, with capture ${f.routing_with_capture_overhead_cpu_us} µs (noise ${f.plain_noise_cpu_us} µs), ` +
      `bare HTTP ${at(f, 'invoke.overhead.raw_http.routing.cpu_us_per_request')} µs, with capture ` +
      `${at(f, 'invoke.overhead.raw_http.routing_with_capture.cpu_us_per_request')} µs ` +
      `(noise ${at(f, 'invoke.overhead.raw_http.routing.plain_noise_cpu_us')} µs); SDK p50 ${f.plain_p50_ms} ms plain, ` +
      `${f.routed_captured_p50_ms} ms routed and captured`,
  },
  {
    name: 'retrain',
    script: 'npm run bench:retrain',
    figures: (f) =>
      `the retraining loop (${f.stream_images} noise-drifted images streamed and labelled, ${f.epochs} epochs): ` +
      `accuracy in service on ${f.held_out_drifted} held-out drifted images ${f.accuracy_drifted_before} → ` +
      `${f.accuracy_drifted_after} (recovered ${f.recovered_share} of the drift's loss; target 0.5), on the clean test split ` +
      `${f.accuracy_clean_before} → ${f.accuracy_clean_after} (target: at most 0.01 lost); one retraining ` +
      `${f.retrain_outcome} in ${f.retrain_wall_s} s from start to promoted (target 300 s); shuffled-label candidate ` +
      `${f.bad_candidate_outcome}; failing-in-service candidate ${f.failing_candidate_outcome} after ` +
      `${f.failing_candidate_rollout_s} s, having answered ${f.failing_candidate_share} of the requests of its rollout ` +
      `(canary 10 %); lost ${f.lost}`,
  },
  {
    name: 'engines',
    script: 'npm run bench:engines',
    figures: (f) =>
      `${f.cases} test cases x ${f.rounds} rounds on each engine, results agree: ${f.agree}; p50 / p99 per execution: ` +
      `embedded ${f.embedded_p50_ms} / ${f.embedded_p99_ms} ms, MiniStack ${f.ministack_p50_ms} / ${f.ministack_p99_ms} ms, ` +
      `LocalStack ${f.localstack_p50_ms} / ${f.localstack_p99_ms} ms; start-up MiniStack ${f.ministack_startup_ms} ms, ` +
      `LocalStack ${f.localstack_startup_ms} ms`,
  },
];

/** Figures of one bench:s3 label (one run of one server). */
export function s3Figures(run: unknown): string {
  const small = at(run, 'objects.2KiB');
  const large = at(run, 'objects.1MiB');
  const commit = at(run, 'server.commit');
  const server = commit
    ? `server at ${String(commit).slice(0, 10)}${at(run, 'server.modified') ? ' + local changes' : ''}`
    : `server ${at(run, 'server.kind')}`;
  return (
    `${server}; concurrency ${at(run, 'concurrency')}, SDK. 2 KiB GET ${op(at(small, 'get'))}; PUT ${op(at(small, 'put'))}. ` +
    `1 MiB GET ${op(at(large, 'get'))}; PUT ${op(at(large, 'put'))}`
  );
}

/** after / before for the small objects, when both labels exist: "streaming cost nothing". */
export function s3Comparison(labels: Record<string, unknown>): string | undefined {
  const before = labels.before;
  const after = labels.after;
  if (!before || !after) return undefined;
  const ratio = (path: string) => {
    const a = Number(at(after, path));
    const b = Number(at(before, path));
    return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${Math.round((a / b) * 100)}%` : 'n/a';
  };
  const parts = ['2KiB', '1MiB'].flatMap((size) =>
    ['get', 'put'].map(
      (o) =>
        `${size === '2KiB' ? '2 KiB' : '1 MiB'} ${o.toUpperCase()} p50 ${ratio(`objects.${size}.${o}.p50_ms`)}, ` +
        `ops/s ${ratio(`objects.${size}.${o}.ops_per_s`)}, server CPU ${ratio(`objects.${size}.${o}.server_cpu_us_per_request`)}`,
    ),
  );
  return `after as a share of before: ${parts.join('; ')}`;
}
