import { describe } from '@jest/globals';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (.ci/run installs it with apt; playwright-core cannot download a browser on this network). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags this machine's notes give for headless Chromium without network access. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * `describe` where Chromium is installed; elsewhere `describe.skip`, said on stderr — except under CI=true, where a
 * missing browser fails the run instead of passing as skipped.
 */
export function describeWithChromium(what: string): typeof describe | typeof describe.skip {
  if (existsSync(CHROMIUM) || process.env.CI === 'true') return describe;
  process.stderr.write(`SKIPPED: ${what} (no Chromium at ${CHROMIUM}; apt-get install chromium)\n`);
  return describe.skip;
}

/** Headless Chromium with this machine's binary and flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Full-page screenshots of each step into `folder` (created; CI keeps test-artifacts/), the file named by TZ as well
 * so the UTC and Asia/Taipei runs keep theirs side by side.
 */
export function screenshotsIn(folder: string): (page: Page, name: string) => Promise<Buffer> {
  const tz = (process.env.TZ ?? 'local').replace('/', '-');
  return (page, name) => {
    mkdirSync(folder, { recursive: true });
    return page.screenshot({ path: `${folder}/${tz}-${name}.png`, fullPage: true });
  };
}
