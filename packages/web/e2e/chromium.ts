import fs from 'node:fs';

/**
 * Finds the system Chromium for the end-to-end tests. We never download a browser: CI installs
 * Debian's `chromium` with apt-get (.ci/run), a developer does the same once. Without it the
 * suite is skipped with a message on a laptop, but fails in CI, where a silent skip would hide
 * a broken dashboard.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const inCi = (env: NodeJS.ProcessEnv = process.env) => env.CI === 'true' || env.CI === '1';

/** ARKIV_CHROMIUM overrides the path; otherwise the first Debian/Ubuntu location that exists. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.ARKIV_CHROMIUM ? [env.ARKIV_CHROMIUM] : CANDIDATES;
  for (const candidate of candidates) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return null;
}

/**
 * The value for node:test's `skip` option: false when Chromium is there, a reason when the suite
 * may be skipped. Throws in CI, so a missing browser fails the run instead of passing it.
 */
export function skipWithoutChromium(env: NodeJS.ProcessEnv = process.env): false | string {
  if (findChromium(env)) return false;
  const message = `Chromium not found (${env.ARKIV_CHROMIUM ?? CANDIDATES.join(', ')}): install it with \`apt-get install -y chromium\` to run the dashboard e2e tests`;
  if (inCi(env)) throw new Error(`${message}. CI must run them.`);
  console.log(`# SKIPPED dashboard e2e: ${message}`);
  return message;
}
