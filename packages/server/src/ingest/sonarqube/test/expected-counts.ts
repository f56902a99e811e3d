import { CWE_TOP_25_2024_CATEGORIES, OWASP_TOP_10_2021_CATEGORIES } from '../report/categories.js';
import type { StandIn } from './sonar-stand-in.js';

const CWE_VALUES = CWE_TOP_25_2024_CATEGORIES.map((c) => c.id.slice(4));
const OWASP_VALUES = OWASP_TOP_10_2021_CATEGORIES.map((c) => `a${Number(c.id.slice(1))}`);

export interface ExpectedCounts {
  /** Distinct open vulnerabilities in the report, as SonarQube's filter counts them. */
  total: { 'CWE Top 25': number; 'OWASP Top 10': number };
  /** Per category id ("CWE-79", "A03"): SonarQube's cwe / owaspTop10-2021 facet count. */
  perCategory: Record<string, number>;
}

/**
 * The figures SonarQube's UI shows for a project: its issues page filtered to open vulnerabilities
 * with the cwe / owaspTop10-2021 facets, asked of the stand-in exactly as the UI asks SonarQube.
 */
export async function expectedCounts(sonar: StandIn, project: string): Promise<ExpectedCounts> {
  // The UI's own query: issue statuses since 10.4, statuses before; the SECURITY quality in MQR mode, type VULNERABILITY in Standard Experience.
  const modern = Number(sonar.version.split('.')[0]) > 10 || sonar.version.startsWith('10.') && Number(sonar.version.split('.')[1]) >= 4;
  const open: Record<string, string> = {
    ...(modern ? { components: project, issueStatuses: 'OPEN,CONFIRMED' } : { componentKeys: project, statuses: 'OPEN,CONFIRMED,REOPENED' }),
    ...(sonar.mqr ? { impactSoftwareQualities: 'SECURITY' } : { types: 'VULNERABILITY' }),
    ps: '1',
  };
  const faceted = await sonar.search('api/issues/search', { ...open, facets: 'cwe,owaspTop10-2021' });
  const perCategory: Record<string, number> = {};
  for (const f of faceted.facets as { property: string; values: { val: string; count: number }[] }[]) {
    for (const { val, count } of f.values) {
      if (f.property === 'cwe' && CWE_VALUES.includes(val)) perCategory[`CWE-${val}`] = count;
      if (f.property === 'owaspTop10-2021' && OWASP_VALUES.includes(val)) perCategory[`A${val.slice(1).padStart(2, '0')}`] = count;
    }
  }
  const cwe = await sonar.search('api/issues/search', { ...open, cwe: CWE_VALUES.join(',') });
  const owasp = await sonar.search('api/issues/search', { ...open, 'owaspTop10-2021': OWASP_VALUES.join(',') });
  return { total: { 'CWE Top 25': cwe.paging.total, 'OWASP Top 10': owasp.paging.total }, perCategory };
}
