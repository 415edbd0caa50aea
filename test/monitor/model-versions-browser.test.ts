/**
 * The report's "Model versions" section in headless Chromium, over a synthetic capture and a fake
 * retraining history (a rejected candidate, a canary promoted, a candidate rolled back): the
 * timeline chart and the version table are visible, every captured inference is counted once
 * (for a version or a rollout window), and the section's screenshot is kept in
 * .scones/monitor/model-versions.png (docs/images/ keeps the one bench:retrain took of a real
 * run). Without retraining the section is one line.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RetrainingHistory,
  type RetrainingHistorySource,
  renderReportHtml,
  runMonitor,
} from '../../src/monitor/index.ts';
import { browserSkipReason, type HeadlessBrowser } from '../support/browser.ts';
import { type ReportBed, startReportBed } from './support/report-bed.ts';
import { openDataDir, type SyntheticDataDir, T0 } from './support/synthetic-data-dir.ts';

const skipReason = browserSkipReason();
if (skipReason) console.warn(`skipping the model versions browser test: ${skipReason}`);

const ROOT = path.resolve(import.meta.dirname, '..', '..');
// Beside the report's own screenshots, not in docs/: a test run never rewrites a tracked file.
const SCREENSHOT = path.join(ROOT, '.scones', 'monitor', 'model-versions.png');
const MINUTE = 60_000;
const COUNT = 1500;
const GROUP = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/scones-dev-image-classifier';

const execution = (
  name: string,
  outcome: 'promoted' | 'rejected' | 'rolled-back',
  version: number,
  startMin: number,
  stopMin: number,
  rolloutMin?: number,
) => ({
  name,
  executionArn: `arn:aws:states:us-east-1:000000000000:execution:scones-dev-model-retraining:${name}`,
  status: 'SUCCEEDED',
  startMs: T0 + startMin * MINUTE,
  stopMs: T0 + stopMin * MINUTE,
  outcome,
  candidateArn: `${GROUP}/${version}`,
  candidateModelData: `s3://scones-images/retraining/${name}/model.tar.gz`,
  ...(rolloutMin === undefined
    ? {}
    : { rolloutStartMs: T0 + rolloutMin * MINUTE, rolloutStartSource: 'history' as const }),
});

const HISTORY: RetrainingHistory = {
  executions: [
    execution('shuffled-labels', 'rejected', 1, 0.5, 1.5),
    execution('noise-drift', 'promoted', 2, 2, 4, 3.5),
    execution('failing-in-service', 'rolled-back', 3, 6, 8, 7.5),
  ],
  registry: [
    { arn: `${GROUP}/1`, version: 1, status: 'Rejected' },
    { arn: `${GROUP}/2`, version: 2, status: 'Approved' },
    { arn: `${GROUP}/3`, version: 3, status: 'Approved' },
  ],
  notes: [],
};

const fakeHistory = (history: RetrainingHistory): RetrainingHistorySource => ({
  describe: 'a fake retraining history (test)',
  read: async () => history,
});

let bed: ReportBed;
let data: SyntheticDataDir;
let browser: HeadlessBrowser;

beforeAll(async () => {
  if (skipReason) return;
  bed = await startReportBed({
    count: COUNT,
    startMs: T0,
    spanMs: 10 * MINUTE,
    seed: 19,
    driftOnset: 0.5,
    labelShare: 0.1,
  });
  ({ data, browser } = bed);
}, 120_000);

afterAll(async () => bed?.close());

async function reportHtml(history: RetrainingHistory): Promise<string> {
  const opened = await openDataDir(data.dir);
  try {
    return await renderReportHtml(
      await runMonitor({
        sources: opened.sources,
        retrainingHistory: fakeHistory(history),
        settings: { threshold: 0.8, range: {} },
      }),
    );
  } finally {
    await opened.close();
  }
}

async function open(html: string) {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.setContent(html, { waitUntil: 'load' });
  return { page, problems };
}

const count = (text: string | null) => Number((text ?? '').replace(/[^0-9]/g, ''));

describe.skipIf(!!skipReason)('model versions in the report, in headless Chromium', () => {
  it('shows the timeline and a row per version and rollout, every inference counted once', async () => {
    const { page, problems } = await open(await reportHtml(HISTORY));
    expect(problems).toEqual([]);
    const section = page.locator('section#model-versions');
    await expect.poll(() => section.isVisible()).toBe(true);
    const chart = await section.locator('figure.chart > svg').boundingBox();
    expect(chart?.width).toBeGreaterThan(300);
    expect(chart?.height).toBeGreaterThan(80);
    // The chart draws a row per version and marks the promotion and the rollback.
    const svg = await section.locator('figure.chart > svg').innerHTML();
    for (const label of ['v0 / original', 'v1', 'v2', 'v3', 'promoted', 'rolled-back'])
      expect(svg).toContain(label);

    const versions = section.locator('table.versions tr.version');
    expect(await versions.count()).toBe(4);
    const rollouts = section.locator('table.versions tr.rollout');
    expect(await rollouts.count()).toBe(2);
    const v0 = await section.locator('tr.version[data-version="v0"] td').allTextContents();
    expect(v0[0]).toContain('v0 / original');
    expect(v0[1]).toBe('not in the registry');
    expect(await section.locator('tr.version[data-version="v1"] td').nth(1).textContent()).toBe('Rejected');
    // v1 was rejected and v3 rolled back: neither answered alone.
    expect(count(await section.locator('tr.version[data-version="v1"] td').nth(2).textContent())).toBe(0);
    expect(count(await section.locator('tr.version[data-version="v3"] td').nth(2).textContent())).toBe(0);
    expect(await section.locator('tr.version[data-version="v3"] td').nth(6).textContent()).toBe(
      'never served alone',
    );
    let total = 0;
    for (const row of [...(await versions.all()), ...(await rollouts.all())]) {
      total += count(await row.locator('td').nth(2).textContent());
    }
    expect(total).toBe(COUNT);
    // Both served, both had reviewed inferences with an accuracy (synthetic labels: 10 % reviewed).
    for (const id of ['v0', 'v2']) {
      const cells = await section.locator(`tr.version[data-version="${id}"] td`).allTextContents();
      expect(count(cells[2] ?? ''), id).toBeGreaterThan(100);
      expect(count(cells[3] ?? ''), id).toBeGreaterThan(5);
      expect(cells[4], id).toMatch(/^\d+\.\d %$/);
    }
    const during = await section.locator('tr.rollout[data-execution="noise-drift"] td').allTextContents();
    expect(during[0]).toContain('during rollout v0 / original → v2');
    expect(during[1]).toBe('promoted');

    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await section.screenshot({ path: SCREENSHOT });
    await page.close();
  }, 60_000);

  it('says in one line that no retraining ran', async () => {
    const { page, problems } = await open(await reportHtml({ executions: [], registry: [], notes: [] }));
    expect(problems).toEqual([]);
    const section = page.locator('section#model-versions');
    expect(await section.locator('svg, table').count()).toBe(0);
    expect(await section.locator('p').textContent()).toBe(
      `No retraining has run: v0 / original (the kit's model) answered all ${COUNT.toLocaleString('en-US')} inferences.`,
    );
    await page.close();
  }, 60_000);
});
