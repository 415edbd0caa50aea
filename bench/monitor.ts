/**
 * `npm run bench:monitor`: the monitor over 100,000 captured records and the review page over
 * 10,000 pending items.
 *
 * 1. Generates the records in SageMaker's data capture format (the kit's own DataCapture writer:
 *    JSON Lines under data_capture/<endpoint>/<variant>/yyyy/mm/dd/hh/, each with a 32x32-PNG-sized
 *    input), ground truth for 1 % of them (one object per label, as `scones review` writes it),
 *    the Lambdas' EMF lines, and a training manifest, into a temporary local S3 and data dir.
 * 2. Runs the real `scones monitor --json --out report.html` as its own process against that S3
 *    (AWS_ENDPOINT_URL_S3), and takes its wall time (start to exit, Node start-up included) and peak
 *    RSS (getrusage, reported by the process at exit): the S3 server's memory is not counted.
 * 3. Writes 10,000 pending review items, starts the review server (src/review/server.ts) and times
 *    the page's first render in headless Chromium: navigation start until the first item and the
 *    pending count are on screen.
 *
 *   npm run bench:monitor [-- --records 100000 --pending 10000 --span-days 7]
 *
 * The last stdout line is one JSON object: records, report_s, peak_rss_mb, review_first_render_ms
 * (null, with review_first_render_pending saying why, when it could not be measured), and more.
 * Figures also go to .scones/bench/monitor.json (bench/results.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { createS3Client } from '../src/aws/clients.ts';
import { DEFAULTS, endpointEnvironment, loadConfig } from '../src/config.ts';
import { startLocalS3 } from '../src/embedded/s3/index.ts';
import { writeSyntheticStream } from '../src/monitor/synthetic-stream.ts';
import { CLASS_LABELS } from '../src/workflow/types.ts';
import { writeBenchResults } from './results.ts';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    pending: { type: 'string', default: '10000' },
    'span-days': { type: 'string', default: '7' },
  },
});
const RECORDS = Number(args.records);
const PENDING = Number(args.pending);
const SPAN_MS = Number(args['span-days']) * 86_400_000;
const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'scones.js');
/** Reports the process's peak RSS (KiB) and CPU time (µs), from getrusage, on stderr as it exits. */
const RSS_PROBE =
  "data:text/javascript,import {writeSync} from 'node:fs'; process.on('exit', () => { const u = process.resourceUsage(); writeSync(2, '\\nBENCH_USAGE ' + u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime) + '\\n'); });";

const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (ms: number) => Math.round(ms / 10) / 100;

interface ReportRun {
  wallMs: number;
  maxRssKb: number;
  cpuMs: number;
  alarms: { name: string; state: string }[];
  reportBytes: number;
}

function runMonitorProcess(dataDir: string, s3Endpoint: string, out: string): Promise<ReportRun> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_ENDPOINT_URL')),
  );
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', RSS_PROBE, BIN, 'monitor', '--json', '--out', out, '--data-dir', dataDir],
      { env: { ...env, AWS_ENDPOINT_URL_S3: s3Endpoint }, maxBuffer: 64 * 1024 * 1024 },
      async (error, stdout, stderr) => {
        const wallMs = performance.now() - started;
        if (error) return reject(new Error(`scones monitor failed: ${error.message}\n${stderr}`));
        const usage = /BENCH_USAGE (\d+) (\d+)/.exec(stderr);
        const result = JSON.parse(stdout.trim().split('\n').at(-1) as string);
        resolve({
          wallMs,
          maxRssKb: Number(usage?.[1] ?? Number.NaN),
          cpuMs: Number(usage?.[2] ?? Number.NaN) / 1000,
          alarms: result.alarms,
          reportBytes: (await readFile(out)).length,
        });
      },
    );
  });
}

/** Pending items as RecordReviewItem writes them, pointing at a few real PNGs. */
async function writePendingItems(s3: S3Client, bucket: string, count: number): Promise<void> {
  const images = 50;
  for (let i = 0; i < images; i++) {
    const png = await sharp({
      create: { width: 32, height: 32, channels: 3, background: { r: 40 + i * 4, g: 90, b: 160 } },
    })
      .png()
      .toBuffer();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `bench/review-images/${i}.png`, Body: png }));
  }
  const started = Date.parse('2026-11-26T10:00:00Z');
  const ids = Array.from({ length: count }, (_, i) => i);
  const put = async (i: number) => {
    const confidence = 0.5 + (i % 30) / 100;
    const predicted = i % 2;
    const item = {
      inference_id: `bench-review-${i}`,
      s3_bucket: bucket,
      s3_key: `bench/review-images/${i % images}.png`,
      inferences: predicted === 0 ? [confidence, 1 - confidence] : [1 - confidence, confidence],
      predicted_label: CLASS_LABELS[predicted],
      predicted_index: predicted,
      confidence,
      confident: false,
      threshold: 0.8,
      decided_at: new Date(started + i * 1000).toISOString(),
    };
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${DEFAULTS.reviewPrefix}bench-review-${i}.json`,
        Body: JSON.stringify(item),
      }),
    );
  };
  // 16 writes in flight: the local S3 takes them as fast as the SDK sends them.
  for (let i = 0; i < ids.length; i += 16) await Promise.all(ids.slice(i, i + 16).map(put));
}

/** First render of the review page, or why it could not be measured. */
async function reviewFirstRender(
  s3: S3Client,
  bucket: string,
): Promise<{ ms: number | null; pending?: string }> {
  const server = await import('../src/review/server.ts').catch(() => undefined);
  if (!server?.startReviewServer)
    return { ms: null, pending: 'src/review/server.ts exports no startReviewServer yet' };
  const browserSupport = await import('../test/support/browser.ts');
  const skip = browserSupport.browserSkipReason();
  if (skip) return { ms: null, pending: skip };
  const review = await server.startReviewServer({
    s3,
    bucket,
    reviewPrefix: DEFAULTS.reviewPrefix,
    reviewer: 'bench',
    port: 0,
  });
  const browser = await browserSupport.launchBrowser();
  try {
    const page = await browser.context.newPage();
    const started = performance.now();
    await page.goto(review.url);
    await page.locator('#item').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('#pending-count', { hasText: /\d/ }).waitFor({ timeout: 60_000 });
    const ms = performance.now() - started;
    const shown = (await page.locator('#pending-count').textContent())?.replace(/\D/g, '');
    if (Number(shown) !== PENDING) log(`review page shows ${shown} pending, expected ${PENDING}`);
    return { ms: Math.round(ms) };
  } finally {
    await browser.close();
    await review.stop();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'scones-bench-monitor-'));
  const local = await startLocalS3({ directory: path.join(dir, 's3'), buckets: [DEFAULTS.bucket] });
  const s3 = createS3Client(
    loadConfig({ SCONES_TARGET: 'embedded', ...endpointEnvironment({ s3: local.endpoint }) }),
  );
  try {
    log(`generating ${RECORDS.toLocaleString('en-US')} captured records over ${args['span-days']} days ...`);
    let started = performance.now();
    const written = await writeSyntheticStream(
      { s3, bucket: DEFAULTS.bucket, endpointName: DEFAULTS.endpointName, logsDir: path.join(dir, 'logs') },
      {
        count: RECORDS,
        startMs: Date.parse('2026-11-01T00:00:00Z'),
        spanMs: SPAN_MS,
        seed: 1,
        driftOnset: 0.6,
        labelShare: 0.01,
      },
    );
    const generateMs = performance.now() - started;
    log(
      `  ${written.records} records, ${written.labels} labels, ${written.emfLines} EMF lines in ${seconds(generateMs)} s`,
    );

    log('scones monitor --json --out report.html ...');
    const report = await runMonitorProcess(dir, local.endpoint, path.join(dir, 'report.html'));
    log(
      `  ${seconds(report.wallMs)} s (${seconds(report.cpuMs)} s CPU), peak RSS ${Math.round(report.maxRssKb / 1024)} MB`,
    );

    log(`writing ${PENDING.toLocaleString('en-US')} pending review items ...`);
    started = performance.now();
    await writePendingItems(s3, DEFAULTS.bucket, PENDING);
    log(`  ${seconds(performance.now() - started)} s; timing the review page's first render ...`);
    const review = await reviewFirstRender(s3, DEFAULTS.bucket);
    log(review.ms !== null ? `  ${review.ms} ms` : `  pending: ${review.pending}`);

    const figures = {
      records: written.records,
      report_s: seconds(report.wallMs),
      report_cpu_s: seconds(report.cpuMs),
      peak_rss_mb: Math.round(report.maxRssKb / 1024),
      review_first_render_ms: review.ms,
      ...(review.pending ? { review_first_render_pending: review.pending } : {}),
      review_pending_items: PENDING,
      ground_truth_labels: written.labels,
      emf_lines: written.emfLines,
      span_days: Number(args['span-days']),
      report_html_kb: Math.round(report.reportBytes / 1024),
      alarms_in_alarm: report.alarms.filter((a) => a.state === 'ALARM').map((a) => a.name),
      generate_s: seconds(generateMs),
    };
    const file = await writeBenchResults('monitor', figures);
    log(`figures: ${file}`);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    s3.destroy();
    await local.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
