/**
 * `npm run bench:report`: rebuilds the README's figures table from `.scones/bench/*.json` (what
 * every benchmark writes through results.ts), between `<!-- bench-report:start -->` and
 * `<!-- bench-report:end -->`, so no figure in the README is typed by hand. One row per
 * benchmark (per label for bench:s3), each with the machine, date and load it ran under; a known
 * benchmark without a file keeps the row its last run wrote into the README (the result files are
 * per machine, not in git: a run of one benchmark must not blank the others), else shows "not run";
 * a file of a benchmark this script does not know (any other name) gets a generic row of its
 * top-level figures.
 * Options: `--readme <file>` (default README.md), `--check` (exit 1 if the README is not current).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_RESULTS_DIR, type BenchResults, type MachineInfo } from './results.ts';

export const START = '<!-- bench-report:start -->';
export const END = '<!-- bench-report:end -->';
const ROOT = resolve(import.meta.dirname, '..');

type Figures = Record<string, unknown>;
/** A figure by path, e.g. at(f, 'engine_own_ms.sequential.mean'); undefined when absent. */
function at(figures: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], figures);
}

interface Known {
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

const KNOWN: Known[] = [
  {
    name: 'embedded',
    script: 'npm run bench',
    figures: (f) =>
      `${f.images} executions (stub endpoint): p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms one at a time; ` +
      `${f.executions_per_s_c16} executions/s at concurrency 16${rounds(f.executions_per_s_c16_rounds)} (p99 ${f.p99_ms_c16} ms), ` +
      `CPU ${at(f, 'cpu_us_per_execution_c16.total')} µs per execution (engine's thread ${at(f, 'cpu_us_per_execution_c16.main thread')} µs); ` +
      `engine's own time (history) mean ${at(f, 'engine_own_ms.sequential.mean')} ms, p99 ${at(f, 'engine_own_ms.sequential.p99')} ms; ` +
      `parts alone p50: S3 GET ${f.s3_get_p50_ms} ms, image check ${f.image_check_p50_ms} ms, endpoint ${f.endpoint_call_p50_ms} ms`,
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
function s3Figures(run: unknown): string {
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
function s3Comparison(labels: Record<string, unknown>): string | undefined {
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

function machine(info: MachineInfo | undefined, date: unknown, quick: unknown): string {
  if (!info) return 'unknown';
  const when = typeof date === 'string' ? `${date.slice(0, 16).replace('T', ' ')} UTC` : 'unknown date';
  const note = quick === true ? '; **quick run** (small counts)' : '';
  return `${info.cpus} cores ${info.cpu_model}, ${info.memory_gib} GiB, Node ${info.node}; ${when}; load ${info.load_start} → ${info.load_end}${note}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Top-level figures of a benchmark this script has no row format for. */
function genericFigures(figures: Figures): string {
  const shown = Object.entries(figures)
    .filter(([, value]) => ['number', 'string', 'boolean'].includes(typeof value))
    .slice(0, 10)
    .map(([key, value]) => `${key} ${value}`);
  return shown.length > 0 ? shown.join(', ') : JSON.stringify(figures).slice(0, 300);
}

function formatted(format: (f: Figures) => string, figures: Figures): string {
  try {
    const text = format(figures);
    if (!/undefined|NaN/.test(text)) return text;
  } catch {
    // Another shape than this script knows (an older file): shown generically below.
  }
  return genericFigures(figures);
}

export async function loadResults(dir = BENCH_RESULTS_DIR): Promise<BenchResults[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const results: BenchResults[] = [];
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8');
    try {
      results.push(JSON.parse(text) as BenchResults);
    } catch (error) {
      throw new Error(`${join(dir, name)} is not JSON: ${(error as Error).message}`);
    }
  }
  return results;
}

/** The table rows: known benchmarks in a fixed order, then any other file by name. */
export function reportRows(results: BenchResults[], scripts: Record<string, string>): string[][] {
  const byName = new Map(results.map((result) => [result.name, result]));
  const rows: string[][] = [];
  for (const known of KNOWN) {
    const result = byName.get(known.name);
    byName.delete(known.name);
    if (!result) {
      rows.push([`\`${known.script}\``, 'not run', '']);
      continue;
    }
    rows.push([
      `\`${known.script}\``,
      formatted(known.figures, result.figures),
      machine(result.machine, result.date, result.figures.quick),
    ]);
  }
  const s3 = byName.get('s3');
  byName.delete('s3');
  const labels = (s3?.figures.labels ?? {}) as Record<string, Record<string, unknown>>;
  if (Object.keys(labels).length === 0) rows.push(['`npm run bench:s3`', 'not run', '']);
  for (const [label, run] of Object.entries(labels)) {
    rows.push([
      `\`npm run bench:s3\` (${label})`,
      formatted(() => s3Figures(run), run),
      machine(run.machine as MachineInfo | undefined, run.date, run.quick),
    ]);
  }
  const comparison = s3Comparison(labels);
  if (comparison) rows.push(['`npm run bench:s3` (after vs before)', comparison, 'the two rows above']);
  for (const result of byName.values()) {
    const script = scripts[`bench:${result.name}`]
      ? `\`npm run bench:${result.name}\``
      : `\`${result.name}\``;
    rows.push([
      script,
      genericFigures(result.figures),
      machine(result.machine, result.date, result.figures.quick),
    ]);
  }
  return rows;
}

/** The rows of the README's current table, by their first cell (the benchmark's command). */
export function tableRows(readme: string): Map<string, string[]> {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  const rows = new Map<string, string[]>();
  if (start < 0 || end < start) return rows;
  for (const line of readme.slice(start, end).split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line
      .slice(2, -2)
      .split(' | ')
      .map((text) => text.replaceAll('\\|', '|'));
    if (cells.length === 3) rows.set(cells[0] as string, cells);
  }
  return rows;
}

/**
 * `rows` with each "not run" row replaced by the same benchmark's rows of an earlier run: its own,
 * and its labelled ones (`npm run bench:s3` (before), (after), ...).
 */
export function keepEarlierRows(rows: string[][], earlier: Map<string, string[]>): string[][] {
  return rows.flatMap((row) => {
    const name = row[0] as string;
    if (row[1] !== 'not run') return [row];
    const kept = [...earlier.values()].filter(
      ([key, figures]) => (key === name || key?.startsWith(`${name} (`)) && figures !== 'not run',
    );
    return kept.length > 0 ? kept : [row];
  });
}

export function renderTable(rows: string[][]): string {
  return [
    START,
    '',
    'Generated by `npm run bench:report` from `.scones/bench/*.json` (each `npm run bench*` writes',
    'its file; a run with a failed or lost execution or request writes nothing; a benchmark not run',
    'on this machine keeps the row of its last run). Do not edit by hand.',
    '',
    '| benchmark | figures | machine; date; 1-min load average (start → end) |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
    END,
  ].join('\n');
}

/** `readme` with the block between the markers replaced by `table`. */
export function replaceBlock(readme: string, table: string, file = 'README.md'): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`${file} has no ${START} ... ${END} block for the figures table`);
  return `${readme.slice(0, start)}${table}${readme.slice(end + END.length)}`;
}

async function main() {
  const { values } = parseArgs({ options: { readme: { type: 'string' }, check: { type: 'boolean' } } });
  const readmePath = resolve(ROOT, values.readme ?? 'README.md');
  const scripts = (
    JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }
  ).scripts;
  const results = await loadResults();
  const readme = await readFile(readmePath, 'utf8');
  const rows = keepEarlierRows(reportRows(results, scripts ?? {}), tableRows(readme));
  const updated = replaceBlock(readme, renderTable(rows), readmePath);
  if (values.check) {
    if (updated !== readme) {
      console.error(
        `${readmePath}: the figures table is not what .scones/bench/*.json give; run npm run bench:report`,
      );
      process.exitCode = 1;
    }
    return;
  }
  if (updated !== readme) await writeFile(readmePath, updated);
  console.log(
    `${readmePath}: figures table from ${results.length} result files (${results.map((r) => r.name).join(', ') || 'none'})`,
  );
}

if (import.meta.main) await main();
