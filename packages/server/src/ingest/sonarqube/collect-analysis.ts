import type { Finding, Hotspot, Measure, SecurityReportInput, SecurityStandards } from './report/index.js';
import { searchAll } from './search-all.js';
import { ruleCategories, type RuleCategories } from './security-categories.js';
import { SonarApi, SonarQubeError } from './sonar-api.js';

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
/** MQR mode's own measures of the same (10.8+), read under the Standard names the reports use. */
const MQR_METRICS: Readonly<Record<string, string>> = {
  software_quality_security_rating: 'security_rating',
  software_quality_security_issues: 'vulnerabilities',
};

interface Analysis {
  key: string;
  date: string;
  projectVersion?: string;
}

/**
 * Reads one analysis of one project (branch) from SonarQube: the analysis (version, date), the
 * security measures, every open vulnerability and every hotspot (all pages, past 10 000 by split
 * queries), the CWE Top 25 / OWASP Top 10 categories of their rules, and the Enterprise PDF when
 * present. Which parameters are sent on which version: docs/integrations.md.
 */
export async function collectAnalysis(api: SonarApi, request: AnalysisRequest): Promise<CollectedAnalysis> {
  const branch = request.branch || undefined;
  const version = await serverVersion(api);
  const mqr = await isMqrMode(api, version);
  const measured = await projectLookup(api, request.projectKey, branch, mqr);
  const analysis = await latestAnalysis(api, request.projectKey, branch);
  const projectVersion = request.version || analysis?.projectVersion;
  if (!projectVersion) {
    throw new SonarQubeError('bad_response', `The analysis of ${request.projectKey} has no projectVersion (set sonar.projectVersion, or pass a version)`);
  }
  const findings = await searchAll<Finding>(api, 'api/issues/search', 'issues', openVulnerabilitiesQuery(version, mqr, request.projectKey, branch));
  const hotspots = await searchAll<Hotspot>(api, 'api/hotspots/search', 'hotspots', { project: request.projectKey, branch });
  await addMissingHotspotRules(api, hotspots.items);
  const categories = await ruleCategories(api, `${api.baseUrl} ${version.text}`);
  const sonarPdf = await api.optionalBytes('api/security_reports/download', { project: request.projectKey, branch });
  const unread = [...findings.unread.map((u) => `vulnerabilities: ${u}`), ...hotspots.unread.map((u) => `hotspots: ${u}`)];
  return {
    input: {
      projectName: request.projectName || measured.name || request.projectKey,
      projectVersion,
      analysisDate: analysis?.date ?? request.analysedAt ?? new Date().toISOString(),
      findings: findings.items.map((f) => ({ ...f, ...categoriesOf(categories, f.rule) })),
      hotspots: hotspots.items.map((h) => ({ ...h, ...categoriesOf(categories, h.ruleKey) })),
      measures: measured.measures ?? [],
      ...(unread.length > 0 ? { unread } : {}),
    },
    // Unchecked bytes: importSonarAnalysis applies the upload content check before storing them.
    sonarPdf,
  };
}

/**
 * The project (branch) lookup, which also reads the security measures: the only call whose 404
 * means "no such project or branch". A 404 from any later call is a refused request.
 */
async function projectLookup(api: SonarApi, component: string, branch: string | undefined, mqr: boolean) {
  try {
    const metrics = mqr ? [...Object.keys(MQR_METRICS), 'security_hotspots', 'security_review_rating'] : SECURITY_METRICS;
    const measured = await api.json<{ component?: { name?: string; measures?: Measure[] } }>('api/measures/component', {
      component, branch, metricKeys: metrics.join(','),
    });
    if (!measured.component) throw new SonarQubeError('bad_response', 'api/measures/component returned no component');
    const measures = (measured.component.measures ?? []).map((m) => ({ ...m, metric: MQR_METRICS[m.metric] ?? m.metric }));
    return { ...measured.component, measures };
  } catch (error) {
    if (error instanceof SonarQubeError && error.failure === 'not_found') {
      throw new SonarQubeError('project_not_found', `SonarQube has no project "${component}"${branch ? ` with branch "${branch}"` : ''}`, 404, error.sonarMessage);
    }
    throw error;
  }
}

export interface ServerVersion {
  text: string;
  major: number;
  minor: number;
}

async function serverVersion(api: SonarApi): Promise<ServerVersion> {
  const text = (await api.text('api/server/version')).trim();
  const [major = 0, minor = 0] = text.split('.').map(Number);
  return { text, major, minor };
}

const atLeast = (v: ServerVersion, major: number, minor: number) => v.major > major || (v.major === major && v.minor >= minor);

/** 10.8 added the choice between Standard Experience and MQR mode; before, the Standard measures are the ones shown. */
async function isMqrMode(api: SonarApi, version: ServerVersion): Promise<boolean> {
  if (!atLeast(version, 10, 8)) return false;
  const { settings } = await api.json<{ settings?: { key?: string; value?: string }[] }>('api/settings/values', { keys: MQR_SETTING });
  return settings?.find((s) => s.key === MQR_SETTING)?.value === 'true';
}
const MQR_SETTING = 'sonar.multi-quality-mode.enabled';

/**
 * The open vulnerabilities as SonarQube's UI counts them, matching the measures read beside them:
 * - Standard Experience (every version): type VULNERABILITY, the `vulnerabilities` and
 *   `security_rating` measures;
 * - MQR mode (10.8+ when enabled): a SECURITY impact, `software_quality_security_issues` and
 *   `software_quality_security_rating`;
 * - open: issueStatuses=OPEN,CONFIRMED from 10.4, statuses=OPEN,CONFIRMED,REOPENED before;
 * - the project: `components` from 10.2, `componentKeys` before.
 */
export function openVulnerabilitiesQuery(version: ServerVersion, mqr: boolean, project: string, branch: string | undefined): Record<string, string | undefined> {
  return {
    [atLeast(version, 10, 2) ? 'components' : 'componentKeys']: project,
    branch,
    ...(atLeast(version, 10, 4) ? { issueStatuses: 'OPEN,CONFIRMED' } : { statuses: 'OPEN,CONFIRMED,REOPENED' }),
    ...(mqr ? { impactSoftwareQualities: 'SECURITY' } : { types: 'VULNERABILITY' }),
  };
}

const NO_CATEGORY: SecurityStandards = { cwe: [], owaspTop10_2021: [] };
const categoriesOf = (categories: RuleCategories, rule: string | undefined): SecurityStandards =>
  (rule && categories.get(rule)) || NO_CATEGORY;

/** Hotspots carry `ruleKey` since SonarQube 9.7; an older server names the rule in api/hotspots/show only. */
async function addMissingHotspotRules(api: SonarApi, hotspots: Hotspot[]): Promise<void> {
  for (const hotspot of hotspots) {
    if (hotspot.ruleKey) continue;
    const shown = await api.json<{ rule?: { key?: string } }>('api/hotspots/show', { hotspot: hotspot.key });
    if (shown.rule?.key) hotspot.ruleKey = shown.rule.key;
  }
}

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
