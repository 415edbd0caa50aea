/**
 * `npm run bench:report`: rebuilds the README's figures table from `.scones/bench/*.json` (what
 * every benchmark writes through results.ts), between `<!-- bench-report:start -->` and
 * `<!-- bench-report:end -->`, so no figure in the README is typed by hand. One row per
 * benchmark (per label for bench:s3), each with the machine, date and load it ran under. A known
 * benchmark without a file here keeps the row the README has (the files stay on the machine that
 * ran them: a checkout that ran one benchmark updates its row only), or shows as "not run"; a file
 * of a benchmark this script does not know (any other name) gets a generic row of its top-level
 * figures.
 * Options: `--readme <file>` (default README.md), `--check` (exit 1 if the README is not current).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Figures, KNOWN, s3Comparison, s3Figures } from './report-known.ts';
import { BENCH_RESULTS_DIR, type BenchResults, type MachineInfo } from './results.ts';

export const START = '<!-- bench-report:start -->';
export const END = '<!-- bench-report:end -->';
const ROOT = resolve(import.meta.dirname, '..');

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

const NOT_RUN = 'not run';

/** The rows of the table in `readme`, by their first cell (the benchmark), cells unescaped. */
export function previousRows(readme: string): Map<string, string[]> {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  const rows = new Map<string, string[]>();
  if (start < 0 || end < start) return rows;
  for (const line of readme.slice(start, end).split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((text) => text.trim().replace(/\\\|/g, '|'));
    if (cells.length === 3 && cells[1] !== NOT_RUN) rows.set(cells[0] as string, cells);
  }
  return rows;
}

/**
 * The table rows: known benchmarks in a fixed order, then any other file by name. A known
 * benchmark with no file keeps its row of `previous` (the README's), if it had one.
 */
export function reportRows(
  results: BenchResults[],
  scripts: Record<string, string>,
  previous: Map<string, string[]> = new Map(),
): string[][] {
  const byName = new Map(results.map((result) => [result.name, result]));
  const rows: string[][] = [];
  for (const known of KNOWN) {
    const result = byName.get(known.name);
    byName.delete(known.name);
    if (!result) {
      const script = `\`${known.script}\``;
      rows.push(previous.get(script) ?? [script, NOT_RUN, '']);
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
  if (Object.keys(labels).length === 0) {
    const kept = [...previous.values()].filter(([script]) => script?.startsWith('`npm run bench:s3`'));
    rows.push(...(kept.length > 0 ? kept : [['`npm run bench:s3`', NOT_RUN, '']]));
  }
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

export function renderTable(rows: string[][]): string {
  return [
    START,
    '',
    'Generated by `npm run bench:report` from `.scones/bench/*.json` (each `npm run bench*` writes',
    'its file; a run with a failed or lost execution or request writes nothing; a benchmark with no',
    'file keeps its row). Do not edit by hand.',
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
  const rows = reportRows(results, scripts ?? {}, previousRows(readme));
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
