/**
 * What the monitor's browser tests start together: a synthetic data folder and headless Chromium,
 * side by side (Chromium starts while the data is written). Whatever started is closed again when
 * the other failed, and by `close()` after the tests.
 */

import type { SyntheticWriteOptions } from '../../../src/monitor/synthetic-stream.ts';
import { type HeadlessBrowser, launchBrowser } from '../../support/browser.ts';
import { type SyntheticDataDir, syntheticDataDir } from './synthetic-data-dir.ts';

export interface ReportBed {
  data: SyntheticDataDir;
  browser: HeadlessBrowser;
  close(): Promise<void>;
}

export async function startReportBed(options: SyntheticWriteOptions): Promise<ReportBed> {
  const [written, launched] = await Promise.allSettled([syntheticDataDir(options), launchBrowser()]);
  const data = written.status === 'fulfilled' ? written.value : undefined;
  const browser = launched.status === 'fulfilled' ? launched.value : undefined;
  const close = async () => {
    await browser?.close();
    await data?.remove();
  };
  if (!data || !browser) {
    await close();
    throw (
      written.status === 'rejected' ? written.reason : (launched as PromiseRejectedResult).reason
    ) as Error;
  }
  return { data, browser, close };
}
