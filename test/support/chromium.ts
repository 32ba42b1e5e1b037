import { describe } from '@jest/globals';
import { existsSync } from 'node:fs';

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
