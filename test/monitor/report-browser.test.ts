/**
 * The report in headless Chromium: it renders with no console errors, shows one chart per view
 * (SVG, drawn in Node, no script on the page), and works offline. A screenshot is kept under
 * `.scones/monitor/` for people to look at (not committed).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml, runMonitor } from '../../src/monitor/index.ts';
import { browserSkipReason, type HeadlessBrowser } from '../support/browser.ts';
import { type ReportBed, startReportBed } from './support/report-bed.ts';
import { openDataDir, type SyntheticDataDir, syntheticDataDir, T0 } from './support/synthetic-data-dir.ts';

const skipReason = browserSkipReason();
if (skipReason) console.warn(`skipping the monitor report browser test: ${skipReason}`);

const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '..', '..', '.scones', 'monitor');
/** alarms, inferences, confidence, class mix, drift, quality, traffic */
const VIEWS = ['alarms', 'inferences', 'confidence', 'class-mix', 'drift', 'quality', 'traffic'];

let bed: ReportBed;
let data: SyntheticDataDir;
let browser: HeadlessBrowser;

beforeAll(async () => {
  if (skipReason) return;
  bed = await startReportBed({
    count: 4000,
    startMs: T0,
    spanMs: 5 * 60_000,
    seed: 5,
    driftOnset: 0.5,
    labelShare: 0.1,
  });
  ({ data, browser } = bed);
}, 120_000);

afterAll(async () => bed?.close());

async function reportHtml(dir: string): Promise<string> {
  const opened = await openDataDir(dir);
  try {
    return await renderReportHtml(
      await runMonitor({ sources: opened.sources, settings: { threshold: 0.8, range: {} } }),
    );
  } finally {
    await opened.close();
  }
}

/** Loads the page from a file with the network cut off, as someone opening a mailed report. */
async function openOffline(html: string, name: string) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, name);
  await writeFile(file, html);
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  const requests: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (!url.startsWith('file:')) requests.push(url);
    return url.startsWith('file:') ? route.continue() : route.abort();
  });
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.goto(`file://${file}`);
  return { page, problems, requests };
}

describe.skipIf(!!skipReason)('monitor report in headless Chromium', () => {
  it('renders every view as an SVG chart, with no console errors and no request off the page', async () => {
    const { page, problems, requests } = await openOffline(await reportHtml(data.dir), 'report.html');
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('section[id] figure.chart > svg').count()).toBe(VIEWS.length);
    for (const view of VIEWS) {
      const box = await page.locator(`section#${view} figure.chart > svg`).boundingBox();
      expect(box?.width, view).toBeGreaterThan(300);
      expect(box?.height, view).toBeGreaterThan(60);
    }
    // The degrading stream's alarms are on the page with their evidence.
    await expect.poll(() => page.locator('#alarms .state.ALARM').count()).toBeGreaterThan(0);
    expect(await page.locator('#alarms tbody tr').count()).toBe(5);
    expect(await page.locator('h1').textContent()).toMatch(/ALARM/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'report.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('renders an empty range as the same views, each saying why it is empty', async () => {
    const empty = await syntheticDataDir({ count: 0, startMs: T0, spanMs: 1 });
    try {
      const { page, problems } = await openOffline(await reportHtml(empty.dir), 'empty-report.html');
      expect(problems).toEqual([]);
      expect(await page.locator('section[id] figure.chart > svg').count()).toBe(VIEWS.length);
      expect(await page.locator('#inferences svg').innerHTML()).toContain('No captured inferences');
      expect(await page.locator('h1').textContent()).toMatch(/OK/);
      await page.close();
    } finally {
      await empty.remove();
    }
  }, 60_000);
});
