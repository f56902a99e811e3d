import fs from 'node:fs';
import path from 'node:path';

/**
 * Command-line tools some tests use as extra, independent verifiers (poppler's pdftotext and
 * pdfinfo, qpdf). The suite passes without them on a laptop, where those checks are skipped with
 * a message; in CI (.ci/run installs them) a missing tool fails the run, as a missing Chromium does
 * (packages/web/e2e/chromium.ts), so the checks never silently stop running.
 */
export const SYSTEM_TOOLS = {
  pdftotext: 'poppler-utils',
  pdfinfo: 'poppler-utils',
  qpdf: 'qpdf',
} as const;
export type SystemTool = keyof typeof SYSTEM_TOOLS;

const inCi = (env: NodeJS.ProcessEnv) => env.CI === 'true' || env.CI === '1';

/** The path of `tool` on env.PATH, or null. */
export function findTool(tool: SystemTool, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, tool);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // try the next directory
    }
  }
  return null;
}

/**
 * The value for node:test's `skip` option: false when every tool is there, a reason when the
 * check may be skipped. Throws in CI, where a skipped check would hide a regression.
 */
export function skipWithoutTools(tools: SystemTool[], env: NodeJS.ProcessEnv = process.env): false | string {
  const missing = tools.filter((tool) => findTool(tool, env) === null);
  if (missing.length === 0) return false;
  const packages = [...new Set(missing.map((tool) => SYSTEM_TOOLS[tool]))].join(' ');
  const message = `${missing.join(', ')} not found on PATH: install with \`apt-get install -y ${packages}\` to run this independent check`;
  if (inCi(env)) throw new Error(`${message}. CI must run it.`);
  console.log(`# SKIPPED: ${message}`);
  return message;
}
