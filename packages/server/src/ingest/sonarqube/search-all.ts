import { SonarQubeError, type SonarApi } from './sonar-api.js';

/** SonarQube refuses a page whose last result lies past 10 000 (SearchOptions.setPage). */
export const MAX_RESULTS = 10_000;
export const PAGE_SIZE = 500;
/**
 * Requests one search may make: 2 000 pages read 1 000 000 findings. A server that keeps claiming
 * more (a broken or hostile one, or a URL a non-admin chose) cannot make an import loop for ever.
 */
export const MAX_REQUESTS = 2_000;

class BudgetSpent extends Error {}

type Params = Record<string, string | undefined>;

interface Answer {
  paging?: { total?: number };
  total?: number;
  facets?: { property?: string; values?: { val?: string; count?: number }[] }[];
  [field: string]: unknown;
}

export interface SearchResult<T> {
  items: T[];
  /** What SonarQube counted for the whole query. */
  total: number;
  /** Why some results could not be read; empty when all `total` were. */
  unread: string[];
  requests: number;
}

/**
 * Every result of an api/issues/search or api/hotspots/search query, in pages of 500. A query
 * counting more than 10 000 is cut into narrower queries that each stay under the window:
 * - issues: by rule (the `rules` facet, asked on the first page), rules grouped up to 10 000 per
 *   query; a single rule above 10 000 by creation-date windows (createdAfter inclusive,
 *   createdBefore exclusive) halved until each fits;
 * - hotspots: by status and resolution.
 * What still cannot be read (more than 10 000 results created in the same second, more than the
 * 100 rules a facet lists) is named in `unread`, never dropped silently.
 */
export async function searchAll<T>(api: SonarApi, path: 'api/issues/search' | 'api/hotspots/search', field: string, params: Params): Promise<SearchResult<T>> {
  const state: SearchResult<T> = { items: [], total: 0, unread: [], requests: 0 };
  try {
    return await split(api, path, field, params, state);
  } catch (error) {
    if (!(error instanceof BudgetSpent)) throw error;
    state.unread.push(`${path} stopped after ${MAX_REQUESTS} requests with ${state.items.length} of ${state.total} results read`);
    return state;
  }
}

async function split<T>(api: SonarApi, path: 'api/issues/search' | 'api/hotspots/search', field: string, params: Params, state: SearchResult<T>): Promise<SearchResult<T>> {
  const firstParams = path === 'api/issues/search' ? { ...params, facets: [params.facets, 'rules'].filter(Boolean).join(',') } : params;
  const first = await page(api, path, field, firstParams, 1, state);
  state.total = totalOf(first);
  if (state.total <= MAX_RESULTS) {
    await rest(api, path, field, params, first, state);
    return state;
  }
  const ruleCounts = (first.facets ?? []).find((f) => f.property === 'rules')?.values ?? [];
  if (path === 'api/issues/search' && ruleCounts.length === 0) {
    // Nothing to split by (a server without the facet): the 10 000 SonarQube serves, the rest named.
    state.unread.push(`${state.total - MAX_RESULTS} of ${state.total} results of ${path} past SonarQube's 10 000 (no rules facet to split by)`);
    await rest(api, path, field, params, first, state);
    return state;
  }
  // The narrower queries read everything again: the first page's items would be duplicates.
  state.items.length = 0;
  if (path === 'api/hotspots/search') {
    for (const slice of [{ status: 'TO_REVIEW' }, { status: 'REVIEWED', resolution: 'FIXED' }, { status: 'REVIEWED', resolution: 'SAFE' }, { status: 'REVIEWED', resolution: 'ACKNOWLEDGED' }]) {
      await window(api, path, field, { ...params, ...slice }, state, `hotspots ${Object.values(slice).join(' ')}`);
    }
    return state;
  }
  const listed = ruleCounts.reduce((sum, v) => sum + (v.count ?? 0), 0);
  if (listed < state.total) state.unread.push(`${state.total - listed} of ${state.total} results of ${path} belong to rules past the 100 SonarQube's rules facet lists`);
  for (const group of groupRules(ruleCounts)) {
    if (group.count <= MAX_RESULTS) await window(api, path, field, { ...params, rules: group.rules.join(',') }, state, `rules ${group.rules.join(',')}`);
    else await byDate(api, path, field, { ...params, rules: group.rules[0]! }, state);
  }
  return state;
}

/** Rules packed into groups of at most 10 000 results (first fit, largest first); a rule above that alone. */
function groupRules(values: { val?: string; count?: number }[]): { rules: string[]; count: number }[] {
  const groups: { rules: string[]; count: number }[] = [];
  for (const { val, count = 0 } of [...values].sort((a, b) => (b.count ?? 0) - (a.count ?? 0))) {
    if (!val || count === 0) continue;
    const group = count <= MAX_RESULTS ? groups.find((g) => g.count + count <= MAX_RESULTS && g.count <= MAX_RESULTS) : undefined;
    if (group) {
      group.rules.push(val);
      group.count += count;
    } else groups.push({ rules: [val], count });
  }
  return groups;
}

/** One rule above 10 000: creation-date windows between its first and last issue, halved until each fits. */
async function byDate<T>(api: SonarApi, path: string, field: string, params: Params, state: SearchResult<T>): Promise<void> {
  const edge = async (asc: boolean) => {
    const answer = await call(api, path, { ...params, s: 'CREATION_DATE', asc: String(asc), p: '1', ps: '1' }, state);
    const item = (answer[field] as { creationDate?: string }[] | undefined)?.[0];
    return item?.creationDate ? Date.parse(item.creationDate) : NaN;
  };
  const from = await edge(true);
  const to = await edge(false);
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    state.unread.push(`results of ${params.rules} past 10 000 (no creation dates to split by)`);
    return window(api, path, field, params, state, `rule ${params.rules}`);
  }
  const spans: [number, number][] = [[from, to + 1000]];
  while (spans.length > 0) {
    const [start, end] = spans.shift()!;
    const span = { ...params, createdAfter: sonarDate(start), createdBefore: sonarDate(end) };
    const first = await page(api, path, field, span, 1, state);
    const total = totalOf(first);
    // SonarQube dates are to the second: a window of one second cannot be split further.
    if (total <= MAX_RESULTS || end - start <= 1000) {
      if (total > MAX_RESULTS) state.unread.push(`${total - MAX_RESULTS} results of rule ${params.rules} created at ${sonarDate(start)}`);
      await rest(api, path, field, span, first, state);
    } else {
      state.items.length -= (first[field] as unknown[]).length;
      const middle = start + Math.floor((end - start) / 2000) * 1000;
      spans.unshift([start, middle], [middle, end]);
    }
  }
}

/** One narrowed query read whole (it counts at most 10 000, or what is past that is noted). */
async function window<T>(api: SonarApi, path: string, field: string, params: Params, state: SearchResult<T>, what: string): Promise<void> {
  const first = await page(api, path, field, params, 1, state);
  const total = totalOf(first);
  if (total > MAX_RESULTS) state.unread.push(`${total - MAX_RESULTS} results of ${path} (${what}) past SonarQube's 10 000`);
  await rest(api, path, field, params, first, state);
}

async function rest<T>(api: SonarApi, path: string, field: string, params: Params, first: Answer, state: SearchResult<T>): Promise<void> {
  const total = Math.min(totalOf(first), MAX_RESULTS);
  let read = (first[field] as unknown[]).length;
  for (let p = 2; read < total && p * PAGE_SIZE <= MAX_RESULTS; p++) {
    const batch = (await page(api, path, field, params, p, state))[field] as unknown[];
    if (batch.length === 0) break;
    read += batch.length;
  }
}

async function page<T>(api: SonarApi, path: string, field: string, params: Params, p: number, state: SearchResult<T>): Promise<Answer> {
  const answer = await call(api, path, { ...params, p: String(p), ps: String(PAGE_SIZE) }, state);
  const batch = answer[field];
  if (!Array.isArray(batch)) throw new SonarQubeError('bad_response', `${path} returned no ${field} list`);
  // Never more than a page, however large a page a server sends.
  state.items.push(...(batch.slice(0, PAGE_SIZE) as T[]));
  answer[field] = batch.slice(0, PAGE_SIZE);
  return answer;
}

async function call<T>(api: SonarApi, path: string, params: Params, state: SearchResult<T>): Promise<Answer> {
  if (state.requests >= MAX_REQUESTS) throw new BudgetSpent();
  state.requests++;
  return api.json<Answer>(path, params);
}

const totalOf = (answer: Answer): number => Number(answer.paging?.total ?? answer.total ?? 0);

/** SonarQube's date-time form, in UTC: 2025-03-14T08:30:00+0000. */
const sonarDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
