import { CWE_TOP_25_2024_CATEGORIES, OWASP_TOP_10_2021_CATEGORIES } from './report/categories.js';
import type { SecurityStandards } from './report/index.js';
import { SonarQubeError, type SonarApi } from './sonar-api.js';

/*
 * Which rules fall in which CWE Top 25 / OWASP Top 10 2021 category, as SonarQube itself decides.
 * SonarQube serves no security standards in its rule or issue answers (ws-rules.proto, ws-issues.proto);
 * it offers them as filters: api/rules/search?cwe=79 lists the rules of CWE-79, ?owaspTop10-2021=a3
 * those of A03. A finding is in every category of its rule, exactly what the `cwe` and
 * `owaspTop10-2021` filters and facets of api/issues/search and api/hotspots/search count; a rule
 * in no list is in no category (SonarQube's `cwe=unknown`). One query per category: 35, plus a page
 * per 500 rules more.
 */

const PAGE_SIZE = 500;
const CONCURRENCY = 4;
/** Rule membership changes only when SonarQube's analyzers are upgraded: kept for a while per server. */
const CACHE_MS = 15 * 60 * 1000;
const cache = new Map<string, { at: number; rules: Promise<Map<string, SecurityStandards>> }>();

export type RuleCategories = Map<string, SecurityStandards>;

/** The categories of every rule SonarQube puts in a CWE Top 25 or OWASP Top 10 2021 category; cached per server and version. */
export function ruleCategories(api: SonarApi, serverKey: string, now = Date.now()): Promise<RuleCategories> {
  for (const [key, entry] of cache) if (now - entry.at > CACHE_MS) cache.delete(key);
  const cached = cache.get(serverKey);
  if (cached) return cached.rules;
  const rules = readRuleCategories(api);
  cache.set(serverKey, { at: now, rules });
  // A failed read is not kept: the next import asks again.
  rules.catch(() => cache.delete(serverKey));
  return rules;
}

async function readRuleCategories(api: SonarApi): Promise<RuleCategories> {
  const queries = [
    ...CWE_TOP_25_2024_CATEGORIES.map((c) => ({ param: 'cwe', value: c.id.slice('CWE-'.length), add: (s: Standards) => s.cwe.push(c.id.slice(4)) })),
    ...OWASP_TOP_10_2021_CATEGORIES.map((c) => ({ param: 'owaspTop10-2021', value: `a${Number(c.id.slice(1))}`, add: (s: Standards) => s.owaspTop10_2021.push(c.id) })),
  ];
  const result = new Map<string, Standards>();
  const worker = async () => {
    for (let query = queries.shift(); query; query = queries.shift()) {
      for (const key of await ruleKeys(api, query.param, query.value)) {
        let standards = result.get(key);
        if (!standards) result.set(key, (standards = { cwe: [], owaspTop10_2021: [] }));
        query.add(standards);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return result;
}

interface Standards {
  cwe: string[];
  owaspTop10_2021: string[];
}

async function ruleKeys(api: SonarApi, param: string, value: string): Promise<string[]> {
  const keys: string[] = [];
  for (let p = 1; ; p++) {
    // f=repo: the smallest optional field; a rule's key is always returned.
    const answer = await api.json<{ rules?: { key?: string }[]; total?: number; paging?: { total?: number } }>('api/rules/search', { [param]: value, f: 'repo', p, ps: PAGE_SIZE });
    if (!Array.isArray(answer.rules)) throw new SonarQubeError('bad_response', 'api/rules/search returned no rules list');
    for (const rule of answer.rules) if (typeof rule.key === 'string') keys.push(rule.key);
    const total = answer.paging?.total ?? answer.total ?? 0;
    // Past 10 000 rules SonarQube refuses the page: no category comes near that.
    if (answer.rules.length < PAGE_SIZE || p * PAGE_SIZE >= total || (p + 1) * PAGE_SIZE > 10_000) return keys;
  }
}

/** Test hook: forget what was read (the stand-ins of two tests may share a URL after a restart). */
export function forgetRuleCategories(): void {
  cache.clear();
}
