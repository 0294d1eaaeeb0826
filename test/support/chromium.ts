/**
 * Headless Chromium for tests that need a real browser (CORS from another origin, the dashboard).
 * The browser is Debian's `chromium` package (`.ci/run` installs it); set CHROMIUM_PATH to use another.
 * Where no browser is installed, such tests are skipped with the reason printed, except under CI,
 * where a missing browser fails the run instead of hiding the tests.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `describe` when a browser is there (or under CI, where its absence must fail), else `describe.skip` with the reason. */
export function describeWithBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) {
    describe(name, body);
    return;
  }
  process.stderr.write(`skipped "${name}": no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)\n`);
  describe.skip(name, body);
}

/** A headless Chromium with the flags this sandbox needs (no background networking, no sandbox as root). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
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
}
