/**
 * The pictures `npm run bench:retrain` leaves beside its figures: the monitor's report over the
 * loop's traffic (its "Model versions" section read from the stack's own Step Functions and
 * SageMaker APIs, as `scones monitor` reads a running `scones up`), the section's screenshot in
 * Chromium, and nothing else when Chromium is missing (the HTML is still written).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { datasetPrefix } from '../src/cli/local-model.ts';
import { LOCAL_CREDENTIALS } from '../src/config.ts';
import type { EmbeddedRuntime } from '../src/embedded/runtime.ts';
import {
  DEFAULT_ALARM_MINIMUMS,
  renderReportHtml,
  runMonitor,
  sdkRetrainingHistory,
} from '../src/monitor/index.ts';
import { retrainingNames } from '../src/workflow/names.ts';
import { browserSkipReason, launchBrowser } from '../test/support/browser.ts';

export interface MonitorPictures {
  html: string;
  /** The section's screenshot; undefined when Chromium is missing (`skipped` says why). */
  png?: string;
  skipped?: string;
  /** The section's one-line summary per version, as the text report prints it. */
  versions: unknown;
}

export async function monitorPictures(
  runtime: EmbeddedRuntime,
  dataDir: string,
  range: { since: number; until: number },
  directory: string,
): Promise<MonitorPictures> {
  const options = {
    endpoint: runtime.localS3.endpoint,
    region: runtime.config.region,
    credentials: LOCAL_CREDENTIALS,
  };
  const sfn = new SFNClient(options);
  const sagemaker = new SageMakerClient(options);
  const names = retrainingNames(runtime.config.stage);
  try {
    const minimums = { ...DEFAULT_ALARM_MINIMUMS, windowInferences: 20 };
    const result = await runMonitor({
      sources: {
        s3: runtime.s3,
        bucket: runtime.config.bucket,
        capturePrefix: `data_capture/${runtime.config.endpointName}/`,
        groundTruthPrefix: 'ground_truth/',
        datasetPrefix: datasetPrefix(),
        metricLogsDir: path.join(dataDir, 'logs'),
        metricsNamespace: 'Scones',
      },
      retrainingHistory: sdkRetrainingHistory({
        sfn,
        sagemaker,
        stateMachineName: names.stateMachine,
        modelPackageGroup: names.modelPackageGroup,
        runNamePrefix: names.runNamePrefix,
      }),
      settings: { threshold: 0.8, range, minimums },
    });
    const html = path.join(directory, 'monitor.html');
    await writeFile(html, await renderReportHtml(result, minimums));
    const skipped = browserSkipReason();
    if (skipped) return { html, skipped, versions: result.report.modelVersions };
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 960, height: 900 });
      await page.goto(`file://${html}`);
      const png = path.join(directory, 'monitor-model-versions.png');
      await page.locator('section#model-versions').screenshot({ path: png });
      return { html, png, versions: result.report.modelVersions };
    } finally {
      await browser.close();
    }
  } finally {
    sfn.destroy();
    sagemaker.destroy();
  }
}
