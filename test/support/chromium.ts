/**
 * Headless Chromium for the tests that check what a report looks like (the job summary with its
 * mermaid chart, the HTML drift report): Debian's `chromium` package driven by playwright-core.
 * playwright-core never downloads a browser; .ci/run installs the Debian package. Without it,
 * the suites skip with the reason printed, except in CI, where they fail: CI must run them.
 *
 * Chromium starts with the network switched off in every way it has (no background
 * networking, no component updates, no QUIC), so a page that tried to fetch a script or a font
 * from the internet would show it (the reports must work offline).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian puts it; CHROMIUM_PATH overrides. */
export function chromiumPath(): string {
  return process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
}

const SKIP_ENV = 'MRG_BROWSER_TESTS';
let warned = false;

/** `describe` when Chromium is installed; otherwise skipped (outside CI) or failing (in CI), with the reason. */
export function describeWithChromium(name: string, fn: () => void): void {
  const skip = process.env[SKIP_ENV] === 'skip';
  const reason = skip ? `${SKIP_ENV}=skip` : existsSync(chromiumPath()) ? undefined : `no Chromium at ${chromiumPath()} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (reason === undefined) {
    describe(name, fn);
    return;
  }
  if (process.env['CI'] === 'true' && !skip) {
    describe(name, () => {
      test('Chromium is installed (CI runs the browser tests, never skips them)', () => {
        throw new Error(`${reason}. In CI, .ci/run installs it before the tests; set ${SKIP_ENV}=skip to skip these tests on purpose.`);
      });
    });
    return;
  }
  if (!warned) console.warn(`browser tests skipped: ${reason}`);
  warned = true;
  describe.skip(name, fn);
}

export interface HeadlessChromium {
  browser: Browser;
  close(): Promise<void>;
}

/** Starts headless Chromium (playwright gives it a fresh temporary profile); close() stops it. */
export async function launchChromium(): Promise<HeadlessChromium> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    timeout: 60_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
