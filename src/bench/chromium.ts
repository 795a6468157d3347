/**
 * One way to start a browser for the browser tests and bench/dashboard.ts: playwright-core
 * driving the system's Chromium (Debian's `chromium` package; CI installs it). Nothing is
 * downloaded: playwright-core carries no browser, and the flags below keep Chromium from calling
 * out to the network at start.
 *
 * Where no Chromium is installed the tests and the bench skip, saying so: `chromiumSkipReason` is
 * that reason.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = [process.env.LOGLAB_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The Chromium binary to drive, or undefined when none is installed. */
export const chromiumPath: string | undefined = CANDIDATES.find(
  (p): p is string => typeof p === 'string' && p !== '' && existsSync(p),
);

/** Why browser tests skip here, or undefined when they can run. */
export const chromiumSkipReason: string | undefined = chromiumPath
  ? undefined
  : 'no Chromium installed (apt-get install chromium, or set LOGLAB_CHROMIUM to its path)';

/** Headless Chromium with no background traffic: first-run, sync, updates and QUIC are off. */
export async function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error(chromiumSkipReason);
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
