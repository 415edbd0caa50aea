/**
 * End to end in headless Chromium: the embedded workflow flags real CIFAR images for review
 * (RecordReviewItem writes the items), the review page shows them, and a reviewer labels them by
 * click and by key, skips one and dismisses a malformed item and one whose image is gone; then
 * the S3 objects written are checked: one ground truth line per label, one closing record per
 * decision, the skipped item still pending. Screenshots go to `.scones/review/`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedRuntime, startEmbeddedRuntime } from '../../src/embedded/runtime.ts';
import { createStubPredictor, hashProbabilities } from '../../src/embedded/sagemaker-runtime/index.ts';
import { type ClosedItem, groundTruthLine } from '../../src/review/decisions.ts';
import type { ReviewBucket } from '../../src/review/layout.ts';
import { type ReviewServer, startReviewServer } from '../../src/review/server.ts';
import { browserSkipReason, type HeadlessBrowser, launchBrowser } from '../support/browser.ts';
import { shippedTestImages, uploadAll } from '../support/test-images.ts';
import { getText, listKeys, putItem } from './fixtures.ts';

const skipReason = browserSkipReason();
if (skipReason) console.warn(`[review page e2e] SKIPPED: ${skipReason}`);

const SCREENSHOTS = resolve(import.meta.dirname, '..', '..', '.scones', 'review');
const IMAGES = 6;

/** Confidences from 0.52 to 0.79, either class: every image goes to manual review (threshold 0.8). */
const lowConfidence = createStubPredictor({
  predict(body) {
    const [a = 0.5] = hashProbabilities(body, 2);
    const p = 0.52 + 0.27 * Math.abs(2 * a - 1);
    return a >= 0.5 ? [p, 1 - p] : [1 - p, p];
  },
});

let dataDir: string;
let runtime: EmbeddedRuntime;
let store: ReviewBucket;
let server: ReviewServer;
let browser: HeadlessBrowser;

describe.skipIf(!!skipReason)('review page in headless Chromium', () => {
  beforeAll(async () => {
    // Chromium starts while the items are made; kept (and closed after) even if making them fails.
    const launching = launchBrowser();
    try {
      await flagImagesForReview();
    } finally {
      browser = await launching;
    }
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  async function flagImagesForReview() {
    dataDir = await mkdtemp(join(tmpdir(), 'scones-review-e2e-'));
    runtime = await startEmbeddedRuntime({ dataDir, predictor: lowConfidence, retryDelayMs: 0 });
    const bucket = runtime.config.bucket;
    store = { s3: runtime.s3, bucket, reviewPrefix: runtime.config.reviewPrefix };
    const images = (await shippedTestImages('review-e2e/')).slice(0, IMAGES + 1);
    await uploadAll(
      runtime.s3,
      bucket,
      images.map(({ key, png }) => ({ key, body: png })),
    );
    for (const [i, image] of images.entries()) {
      const record = await runtime.run({ s3_bucket: bucket, s3_key: image.key }, `e2e-${i}`);
      expect(record.output).toMatchObject({ decision: 'manual-review' });
    }
    // The last image disappears after it was flagged; one item is not a review item at all.
    const gone = images[IMAGES]?.key as string;
    await runtime.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: gone }));
    await putItem(store, 'e2e-malformed', '{"s3_bucket": "scones-images", "note": "truncated');
    server = await startReviewServer({ ...store, reviewer: 'e2e-reviewer', log: () => undefined });
  }

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await runtime?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const currentId = (page: Page) => page.locator('#item').getAttribute('data-id');

  /** Waits until the page shows another item than `id`, fully, or the end of the queue. */
  async function movedOn(page: Page, id: string) {
    const selector = `#item[data-id]:not([data-id=${JSON.stringify(id)}]), #empty:not([hidden])`;
    await page.locator(selector).first().waitFor({ state: 'attached', timeout: 10_000 });
  }

  it('labels items by click and by key, skips and dismisses, and writes ground truth and closing records', async () => {
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#item[data-id]');
    expect(await page.locator('#pending-count').textContent()).toBe(String(IMAGES + 2));
    expect(await page.locator('#queue-list li').count()).toBe(IMAGES + 2);

    // Healthy items get these, in turn; broken ones are dismissed, by key then by click.
    const plan: { how: string; act: () => Promise<unknown>; expect: string }[] = [
      {
        how: 'click',
        act: () => page.getByRole('button', { name: /^Motorcycle/ }).click(),
        expect: 'motorcycle',
      },
      { how: 'key B', act: () => page.keyboard.press('b'), expect: 'bicycle' },
      { how: 'key S', act: () => page.keyboard.press('s'), expect: 'skipped' },
      { how: 'key 3', act: () => page.keyboard.press('3'), expect: 'neither' },
      { how: 'click', act: () => page.getByRole('button', { name: /^Bicycle/ }).click(), expect: 'bicycle' },
      { how: 'key M', act: () => page.keyboard.press('m'), expect: 'motorcycle' },
    ];
    const dismissals = [
      () => page.keyboard.press('d'),
      () => page.getByRole('button', { name: /^Dismiss/ }).click(),
    ];
    const expected = new Map<string, string>();
    let brokenShot = false;
    for (let step = 0; step < IMAGES + 2; step++) {
      const id = await currentId(page);
      expect(id, `step ${step}`).toBeTruthy();
      const dismissButton = page.locator('#dismiss');
      if (await dismissButton.isVisible()) {
        expect(await page.locator('[data-label="bicycle"]').isDisabled()).toBe(true);
        expect(await page.locator('#problem').textContent()).toMatch(/malformed|image_missing/);
        if (!brokenShot) {
          await page.screenshot({ path: join(SCREENSHOTS, 'review-broken-item.png') });
          brokenShot = true;
        }
        await (dismissals.shift() as () => Promise<unknown>)();
        expected.set(id as string, 'dismissed');
      } else {
        if (plan.length === 6) await page.screenshot({ path: join(SCREENSHOTS, 'review-page.png') });
        const action = plan.shift();
        if (!action) throw new Error(`more healthy items than planned at ${id}`);
        await action.act();
        expected.set(id as string, action.expect);
      }
      await movedOn(page, id as string);
    }
    expect(dismissals).toHaveLength(0);
    expect(plan).toHaveLength(0);
    await page.waitForSelector('#empty:not([hidden])');
    expect(await page.locator('#empty-title').textContent()).toBe('End of the queue');
    expect(await page.locator('#pending-count').textContent()).toBe('1');
    expect(await page.locator('#done-count').textContent()).toBe(String(IMAGES + 1));
    await page.screenshot({ path: join(SCREENSHOTS, 'review-done.png') });
    expect(pageErrors).toEqual([]);

    // What S3 holds now.
    const truthKeys = await listKeys(store, 'ground_truth/');
    const labelled = [...expected].filter(([, outcome]) => !['skipped', 'dismissed'].includes(outcome));
    expect(truthKeys).toHaveLength(labelled.length);
    for (const [id, outcome] of expected) {
      const closedText = await getText(store, `review/closed/${id}.json`);
      const pending = await getText(store, `review/${id}.json`);
      if (outcome === 'skipped') {
        expect(closedText, id).toBeUndefined();
        expect(pending, id).toBeDefined();
        continue;
      }
      expect(pending, id).toBeUndefined();
      const closed = JSON.parse(closedText as string) as ClosedItem;
      expect(closed).toMatchObject({ id, reviewer: 'e2e-reviewer', item_key: `review/${id}.json` });
      if (outcome === 'dismissed') {
        expect(closed).toMatchObject({ outcome: 'dismissed', label: null, ground_truth_key: null });
        expect(closed.reason).toMatch(/malformed|image_missing/);
        continue;
      }
      const route = { bicycle: 'short-range', motorcycle: 'long-range', neither: 'not-routed' }[outcome];
      expect(closed).toMatchObject({ outcome: 'labelled', label: outcome, route });
      expect(closed.ground_truth_key).toMatch(/^ground_truth\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/.+\.jsonl$/);
      expect(truthKeys).toContain(closed.ground_truth_key);
      expect(await getText(store, closed.ground_truth_key as string)).toBe(
        groundTruthLine(outcome as 'bicycle', closed.inference_id),
      );
      // The workflow's inference id: the execution name (item id) here.
      expect(closed.inference_id).toBe(id);
    }

    // Back to the skipped item from the queue, labelled by key: the queue is empty.
    const skipped = [...expected].find(([, outcome]) => outcome === 'skipped')?.[0] as string;
    await page.locator('.q-item', { hasText: 'skipped' }).click();
    await page.locator(`#item[data-id=${JSON.stringify(skipped)}]`).waitFor();
    await page.keyboard.press('2');
    await page.waitForSelector('#empty-title:text("All caught up")');
    expect(await page.locator('#pending-count').textContent()).toBe('0');
    const closed = JSON.parse(
      (await getText(store, `review/closed/${skipped}.json`)) as string,
    ) as ClosedItem;
    expect(closed).toMatchObject({ label: 'motorcycle', route: 'long-range' });
    expect(await listKeys(store, 'ground_truth/')).toHaveLength(labelled.length + 1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('says why when the queue cannot be loaded', async () => {
    const broken = await startReviewServer({
      ...store,
      bucket: 'no-such-bucket',
      reviewer: 'e2e',
      log: () => undefined,
    });
    const page = await browser.context.newPage();
    try {
      await page.goto(broken.url);
      await page.waitForSelector('#empty-title:text("The queue cannot be loaded")');
      expect(await page.locator('#empty-text').textContent()).toMatch(/NoSuchBucket/);
      expect(await page.locator('#toast').textContent()).toMatch(/Could not load the queue/);
    } finally {
      await page.close();
      await broken.stop();
    }
  });
});
