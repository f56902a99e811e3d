import type { SonarApi } from './sonar-api.js';

export interface RuleStandards {
  cwe: string[];
  owaspTop10_2021: string[];
}

const CONCURRENCY = 4;

/**
 * CWE and OWASP Top 10 2021 membership of each rule, from api/rules/search `f=securityStandards`
 * (values such as "cwe:79", "owaspTop10-2021:a3"). Issues and hotspots do not carry these
 * themselves, so every finding inherits its rule's. A rule SonarQube does not know maps to nothing.
 */
export async function securityStandardsOf(api: SonarApi, ruleKeys: Array<string | undefined>): Promise<Map<string, RuleStandards>> {
  const pending = [...new Set(ruleKeys.filter((k): k is string => !!k))];
  const result = new Map<string, RuleStandards>();
  const worker = async () => {
    for (let key = pending.shift(); key !== undefined; key = pending.shift()) {
      const { rules } = await api.json<{ rules?: { key: string; securityStandards?: string[] }[] }>('api/rules/search', { rule_key: key, f: 'securityStandards' });
      const standards = rules?.find((r) => r.key === key)?.securityStandards ?? [];
      result.set(key, {
        cwe: standards.filter((s) => s.startsWith('cwe:')).map((s) => s.slice(4)),
        owaspTop10_2021: standards.filter((s) => s.startsWith('owaspTop10-2021:')).map((s) => s.slice('owaspTop10-2021:'.length)),
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return result;
}
