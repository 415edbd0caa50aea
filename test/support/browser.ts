/**
 * Headless Chromium for the browser tests (review page, monitor report): Debian's `chromium`
 * package driven by `playwright-core` (which downloads no browser of its own). `.ci/run` installs
 * the package; on a machine without it the tests skip with the reason printed.
 *
 * The flags keep Chromium off the network (background networking, component updates, sync) and
 * let it run as root in a container (`--no-sandbox`); every page it opens is on 127.0.0.1.
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The Chromium binary to drive, or undefined when none is installed. */
export function chromiumPath(): string | undefined {
  return CANDIDATES.find((path): path is string => !!path && existsSync(path));
}

/** Why browser tests cannot run here, or undefined when they can; printed by the skipping test. */
export function browserSkipReason(): string | undefined {
  if (chromiumPath()) return undefined;
  return "no Chromium found (looked for $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser): install Debian's `chromium` package (`.ci/run` does) to run the browser tests";
}

export interface HeadlessBrowser {
  browser: Browser;
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium headless (Playwright gives it a fresh, throw-away profile). */
export async function launchBrowser(): Promise<HeadlessBrowser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(browserSkipReason());
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  return {
    browser,
    context,
    async close() {
      await context.close();
      await browser.close();
    },
  };
}
