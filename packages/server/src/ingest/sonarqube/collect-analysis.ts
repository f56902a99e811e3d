import type { Finding, Hotspot, Measure, SecurityReportInput } from './report/index.js';
import { SonarApi, SonarQubeError } from './sonar-api.js';
import { securityStandardsOf, type RuleStandards } from './rule-standards.js';

export interface AnalysisRequest {
  projectKey: string;
  branch?: string | undefined;
  /** The product version to file the reports under; default: the analysis's projectVersion. */
  version?: string | undefined;
  /** From a webhook: the analysis date to use if SonarQube lists no analysis. */
  analysedAt?: string | undefined;
  /** Arkiv projectName; default: SonarQube's project name. */
  projectName?: string | undefined;
}

export interface CollectedAnalysis {
  input: SecurityReportInput;
  /** SonarQube's own security report PDF (Enterprise Edition), when the server offers it. */
  sonarPdf: Buffer | undefined;
}

export const SECURITY_METRICS = ['security_rating', 'vulnerabilities', 'security_hotspots', 'security_review_rating'] as const;
const PAGE_SIZE = 500;
/** api/issues/search and api/hotspots/search serve at most 10,000 results per query: Arkiv keeps no more of each. */
export const MAX_RESULTS = 10_000;

interface Paged {
  paging?: { pageIndex: number; pageSize: number; total: number };
  total?: number;
}
interface Analysis {
  key: string;
  date: string;
  projectVersion?: string;
}

/**
 * Reads one analysis of one project (branch) from SonarQube: the analysis (version, date),
 * the security measures, every open vulnerability and every hotspot (all pages), the CWE / OWASP
 * standards of their rules, and the Enterprise PDF when present.
 */
export async function collectAnalysis(api: SonarApi, request: AnalysisRequest): Promise<CollectedAnalysis> {
  const branch = request.branch || undefined;
  const measured = await api.json<{ component?: { name?: string; measures?: Measure[] } }>('api/measures/component', {
    component: request.projectKey, branch, metricKeys: SECURITY_METRICS.join(','),
  });
  if (!measured.component) throw new SonarQubeError('bad_response', 'api/measures/component returned no component');
  const analysis = await latestAnalysis(api, request.projectKey, branch);
  const projectVersion = request.version || analysis?.projectVersion;
  if (!projectVersion) {
    throw new SonarQubeError('bad_response', `The analysis of ${request.projectKey} has no projectVersion (set sonar.projectVersion, or pass a version)`);
  }
  const modern = await supportsImpacts(api);
  const findings = await pages<Finding>(api, 'api/issues/search', 'issues', {
    [modern ? 'components' : 'componentKeys']: request.projectKey,
    branch,
    resolved: 'false',
    ...(modern ? { impactSoftwareQualities: 'SECURITY' } : { types: 'VULNERABILITY' }),
    facets: 'cwe,owaspTop10-2021',
  });
  const hotspots = await pages<Hotspot>(api, 'api/hotspots/search', 'hotspots', { project: request.projectKey, branch });
  const standards = await securityStandardsOf(api, [...findings.map((f) => f.rule), ...hotspots.map((h) => h.ruleKey)]);
  const sonarPdf = await api.optionalBytes('api/security_reports/download', { project: request.projectKey, branch });
  return {
    input: {
      projectName: request.projectName || measured.component.name || request.projectKey,
      projectVersion,
      analysisDate: analysis?.date ?? request.analysedAt ?? new Date().toISOString(),
      findings: findings.map((f) => ({ ...f, ...withStandards(standards, f.rule) })),
      hotspots: hotspots.map((h) => ({ ...h, ...withStandards(standards, h.ruleKey) })),
      measures: measured.component.measures ?? [],
    },
    // Unchecked bytes: importSonarAnalysis applies the upload content check before storing them.
    sonarPdf,
  };
}

const NO_STANDARDS: RuleStandards = { cwe: [], owaspTop10_2021: [] };
const withStandards = (standards: Map<string, RuleStandards>, rule: string | undefined): RuleStandards =>
  (rule && standards.get(rule)) || NO_STANDARDS;

/**
 * The latest analysis, whatever analysis a webhook announced: issues and hotspots are only ever
 * available in their current state, so they must be filed under the version of the analysis that
 * produced that state. A newer analysis's own webhook re-imports the same data (an idempotent upsert).
 */
async function latestAnalysis(api: SonarApi, project: string, branch: string | undefined): Promise<Analysis | undefined> {
  const { analyses } = await api.json<{ analyses?: Analysis[] }>('api/project_analyses/search', { project, branch, ps: 1 });
  if (!Array.isArray(analyses)) throw new SonarQubeError('bad_response', 'api/project_analyses/search returned no analyses list');
  return analyses[0];
}

/** SonarQube 10.2 added impacts (MQR): ask for SECURITY impacts there, type VULNERABILITY before. */
async function supportsImpacts(api: SonarApi): Promise<boolean> {
  const version = (await api.text('api/server/version')).trim();
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 10 || (major === 10 && minor >= 2);
}

async function pages<T>(api: SonarApi, path: string, field: string, params: Record<string, string | undefined>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const response = await api.json<Paged & Record<string, unknown>>(path, { ...params, p: page, ps: PAGE_SIZE });
    const batch = response[field];
    if (!Array.isArray(batch)) throw new SonarQubeError('bad_response', `${path} returned no ${field} list`);
    // At most MAX_RESULTS items in all, however large a page a server sends.
    items.push(...(batch.slice(0, MAX_RESULTS - items.length) as T[]));
    const total = response.paging?.total ?? response.total ?? items.length;
    if (batch.length === 0 || items.length >= total || items.length >= MAX_RESULTS || page * PAGE_SIZE >= MAX_RESULTS) return items;
  }
}
