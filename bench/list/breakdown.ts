import type { RunningChild } from './child.js';
import { measure, type LoadOptions } from './load.js';

/**
 * Where a list request's server CPU goes: the same Arkiv process timed on requests that stop at
 * successive stages. /healthz is the framework with Arkiv's hooks (auth, metrics, logging); an
 * empty range adds validation, version parsing and the two queries (organisation, list); limit=1
 * adds sorting the range but turns one row into JSON; the full query turns all 50.
 */
export async function printBreakdown(label: string, arkiv: RunningChild, listPath: string, load: LoadOptions): Promise<void> {
  const stages: Array<[string, string]> = [
    ['/healthz', '/healthz'],
    ['list, empty range', listPath.replace(/minver=[^&]*&maxver=[^&]*/, 'minver=999.0.0&maxver=999.0.0')],
    ['list, limit=1', `${listPath}&limit=1`],
    ['list, 50 reports', listPath],
  ];
  console.log(`\n${label}: server CPU per request by stage`);
  console.log('| request | req/s | CPU µs/req |');
  console.log('|---|---:|---:|');
  for (const [name, path] of stages) {
    const figures = await measure(arkiv, path, load);
    console.log(`| ${name} | ${figures.requestsPerSecond.toFixed(0)} | ${figures.cpuMicrosPerRequest.toFixed(0)} |`);
  }
}
