import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pdfBytes } from '../../../test/fixtures.js';
import { ANALYSES, HOTSPOTS, ISSUES, MEASURES, PROJECT_KEY, PROJECT_NAME, RULE_STANDARDS } from './sonar-fixtures.js';
import { format, prune, versionAtLeast, WEB_API } from './sonar-webapi.js';

type Json = Record<string, any>;

/** What one SonarQube project holds: the answers' raw material. */
export interface SonarProject {
  key: string;
  name: string;
  issues: Json[];
  hotspots: Json[];
  /** SonarQube's rule index: the security standards of each rule ("cwe:89", "owaspTop10-2021:a3"). */
  ruleStandards: Record<string, string[]>;
  measures: Json[];
  analyses: Json[];
}

export const FIXTURE_PROJECT: SonarProject = {
  key: PROJECT_KEY, name: PROJECT_NAME, issues: ISSUES, hotspots: HOTSPOTS, ruleStandards: RULE_STANDARDS, measures: MEASURES, analyses: ANALYSES,
};

export interface StandInOptions {
  token: string;
  /** Enterprise Edition: serves api/security_reports/download. */
  enterprise?: boolean;
  /** What api/server/version answers; decides the parameters and fields known (default 10.6). */
  version?: string;
  /** sonar.multi-quality-mode.enabled (10.8+): MQR mode rather than Standard Experience. */
  mqr?: boolean;
  project?: SonarProject;
  /** Replaces the answer for one path (after the token check): hostile or broken servers. */
  respond?: Record<string, (res: http.ServerResponse, params: URLSearchParams) => void>;
  /** Bytes served by the Enterprise download instead of a real PDF. */
  enterprisePdf?: Buffer;
}

export interface StandIn {
  url: string;
  version: string;
  mqr: boolean;
  /** Every request: path, query parameters and the authorization header it carried. */
  requests: Array<{ path: string; params: URLSearchParams; authorization?: string | undefined }>;
  /** The next `times` requests to `path` answer `status`. */
  failNext(path: string, status: number, times?: number): void;
  /** What SonarQube's own filters and facets answer (api/issues/search) for a query: the expected figures. */
  search(path: 'api/issues/search' | 'api/hotspots/search', params: Record<string, string>): Promise<Json>;
  enterprisePdf: Buffer;
  close(): Promise<void>;
}

/**
 * A SonarQube Web API on 127.0.0.1, built from webapi/sonarqube-webapi.json (SonarQube's own action
 * definitions and protobuf messages, see the file): it refuses what SonarQube refuses, with
 * SonarQube's messages — an unknown URL (404 "Unknown url : /api/…"), a value outside a parameter's
 * possible values, ps above its maximum, a page past 10 000 results (400), an unknown project
 * (404) — and answers only the fields the description lists. Filters and facets follow SonarQube's
 * semantics: an issue is in every CWE / OWASP category of its rule, `cwe=unknown` selects issues
 * whose rule has no CWE. HTTP Basic token auth, 401 without a body otherwise.
 */
export async function startSonarStandIn(options: StandInOptions): Promise<StandIn> {
  const requests: StandIn['requests'] = [];
  const failures = new Map<string, { status: number; times: number }>();
  const enterprisePdf = options.enterprisePdf ?? pdfBytes('SonarQube Security Report acme-shop');
  const version = options.version ?? '10.6.0.92116';
  const project = options.project ?? FIXTURE_PROJECT;
  const since = (v: string) => versionAtLeast(version, v);

  const answer = (path: string, params: URLSearchParams): { status: number; body: unknown; type?: string } => {
    const action = WEB_API.actions[path];
    const error = (status: number, msg: string) => ({ status, body: { errors: [{ msg }] } });
    if (!action || (action.edition === 'enterprise' && !options.enterprise)) return error(404, format(WEB_API.messages.unknownUrl, `/${path}`));
    // WebService parameter validation, as SonarQube's ValidatingRequest does it.
    for (const [name, param] of Object.entries(action.params)) {
      const value = params.get(name);
      if (value === null || (param.since && !since(param.since))) {
        if (param.required) return error(400, format(WEB_API.messages.missing, name));
        continue;
      }
      for (const v of param.multi ? value.split(',') : [value]) {
        if (param.values && !param.values.includes(v)) return error(400, format(WEB_API.messages.possibleValues, name, v, `[${param.values.join(', ')}]`));
      }
      if (param.integer && !/^-?\d+$/.test(value)) return error(400, `'${value}' is not a valid integer`);
      if (param.max !== undefined && Number(value) > param.max) return error(400, format(WEB_API.messages.maximumValue, name, value, param.max));
    }
    const p = Number(params.get('p') ?? 1);
    const ps = Number(params.get('ps') ?? 100);
    if (action.paged && p * ps > WEB_API.maxResults) return error(400, format(WEB_API.messages.resultWindow, WEB_API.maxResults, p * ps));
    const named = params.get('component') ?? params.get('project') ?? (since('10.2') ? params.get('components') : null) ?? params.get('componentKeys');
    if (action.notFound && named !== null && named !== project.key) {
      return error(404, format(action.notFound === 'project' ? WEB_API.messages.projectNotFound : WEB_API.messages.componentNotFound, named));
    }
    const ok = (body: Json) => ({ status: 200, body: prune(body, action.response) });
    const paging = <T>(items: T[], field: string) => ({ paging: { pageIndex: p, pageSize: ps, total: items.length }, [field]: items.slice((p - 1) * ps, p * ps) });
    switch (path) {
      case 'api/server/version':
        return { status: 200, body: version, type: 'text/plain' };
      case 'api/settings/values': {
        // The mode setting exists from 10.8 on; an unknown key is left out of the answer.
        const keys = (params.get('keys') ?? '').split(',');
        const known = since('10.8') ? [{ key: 'sonar.multi-quality-mode.enabled', value: String(options.mqr ?? false) }] : [];
        return ok({ settings: known.filter((k) => keys.includes(k.key)) });
      }
      case 'api/measures/component': {
        const metrics = (params.get('metricKeys') ?? '').split(',');
        return ok({ component: { key: project.key, name: project.name, qualifier: 'TRK', measures: project.measures.filter((m) => metrics.includes(m.metric)) } });
      }
      case 'api/project_analyses/search':
        return ok(paging(project.analyses, 'analyses'));
      case 'api/issues/search': {
        const issues = filterIssues(project, params, since).map((i) => versionedIssue(i, since));
        const facets = (params.get('facets') ?? '').split(',').filter(Boolean).map((f) => facet(project, issues, f));
        return ok({ ...paging(issues, 'issues'), total: issues.length, p, ps, components: [], facets });
      }
      case 'api/hotspots/search': {
        const hotspots = filterHotspots(project, params).map((h) => (since('9.7') ? h : { ...h, ruleKey: undefined }));
        return ok({ ...paging(hotspots, 'hotspots'), components: [] });
      }
      case 'api/hotspots/show': {
        const hotspot = project.hotspots.find((h) => h.key === params.get('hotspot'));
        if (!hotspot) return error(404, `Hotspot '${params.get('hotspot')}' does not exist`);
        return ok({ key: hotspot.key, rule: { key: hotspot.ruleKey, securityCategory: hotspot.securityCategory }, status: hotspot.status, resolution: hotspot.resolution });
      }
      case 'api/rules/search': {
        const rules = Object.keys(project.ruleStandards).filter((key) => inStandards(project.ruleStandards[key]!, params)).sort()
          .map((key) => ({ key, repo: key.split(':')[0], name: `Rule ${key}` }));
        return ok({ ...paging(rules, 'rules'), total: rules.length, p, ps });
      }
      case 'api/security_reports/download':
        return { status: 200, body: enterprisePdf, type: 'application/pdf' };
      default:
        return error(404, format(WEB_API.messages.unknownUrl, `/${path}`));
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname.replace(/^\//, '');
    const params = url.searchParams;
    requests.push({ path, params, authorization: req.headers.authorization });
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
    };
    const failure = failures.get(path);
    if (failure && failure.times > 0) {
      failure.times--;
      return send(failure.status, { errors: [{ msg: 'An error has occurred. Please contact your administrator' }] });
    }
    if (req.headers.authorization !== `Basic ${Buffer.from(`${options.token}:`).toString('base64')}`) {
      res.writeHead(401);
      return res.end();
    }
    const respond = options.respond?.[path];
    if (respond) return respond(res, params);
    const { status, body, type } = answer(path, params);
    send(status, body, type);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    version,
    mqr: options.mqr ?? false,
    requests,
    enterprisePdf,
    failNext: (path, status, times = 1) => failures.set(path, { status, times }),
    search: async (path, params) => answer(path, new URLSearchParams(params)).body as Json,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const list = (params: URLSearchParams, name: string): string[] | undefined => params.get(name)?.split(',');

const cwesOf = (standards: string[]) => standards.filter((s) => s.startsWith('cwe:')).map((s) => s.slice(4));
const owaspOf = (standards: string[]) => standards.filter((s) => s.startsWith('owaspTop10-2021:')).map((s) => s.slice('owaspTop10-2021:'.length));

/** SonarQube's security-standard filters: any listed value of the rule's standards; cwe `unknown` = no CWE. */
function inStandards(standards: string[], params: URLSearchParams): boolean {
  const cwe = list(params, 'cwe');
  if (cwe && !cwe.some((c) => (c === 'unknown' ? cwesOf(standards).length === 0 : cwesOf(standards).includes(c)))) return false;
  const owasp = list(params, 'owaspTop10-2021');
  if (owasp && !owasp.some((a) => owaspOf(standards).includes(a))) return false;
  return true;
}

function filterIssues(project: SonarProject, params: URLSearchParams, since: (v: string) => boolean): Json[] {
  const resolved = params.get('resolved');
  const statuses = list(params, 'statuses');
  const issueStatuses = since('10.4') ? list(params, 'issueStatuses') : undefined;
  const types = list(params, 'types');
  const qualities = since('10.2') ? list(params, 'impactSoftwareQualities') : undefined;
  const rules = list(params, 'rules');
  const after = params.get('createdAfter') ? Date.parse(params.get('createdAfter')!) : -Infinity;
  const before = params.get('createdBefore') ? Date.parse(params.get('createdBefore')!) : Infinity;
  const selected = project.issues.filter((i) =>
    (resolved === null || ['true', 'yes'].includes(resolved) === ('resolution' in i))
    && (!statuses || statuses.includes(i.status))
    && (!issueStatuses || issueStatuses.includes(i.issueStatus))
    && (!types || types.includes(i.type))
    && (!qualities || (i.impacts ?? []).some((m: Json) => qualities.includes(m.softwareQuality)))
    && (!rules || rules.includes(i.rule))
    && inStandards(project.ruleStandards[i.rule] ?? [], params)
    && Date.parse(i.creationDate ?? '2025-03-01T10:00:00+0100') >= after && Date.parse(i.creationDate ?? '2025-03-01T10:00:00+0100') < before);
  if (params.get('s') === 'CREATION_DATE') {
    const asc = params.get('asc') !== 'false';
    selected.sort((a, b) => (Date.parse(a.creationDate) - Date.parse(b.creationDate)) * (asc ? 1 : -1));
  }
  return selected;
}

/** Fields a version does not have yet are absent from its answers. */
function versionedIssue(issue: Json, since: (v: string) => boolean): Json {
  return { ...issue, impacts: since('10.2') ? issue.impacts : undefined, issueStatus: since('10.4') ? issue.issueStatus : undefined };
}

function filterHotspots(project: SonarProject, params: URLSearchParams): Json[] {
  const status = params.get('status');
  const resolution = params.get('resolution');
  return project.hotspots.filter((h) => (!status || h.status === status) && (!resolution || h.resolution === resolution)
    && inStandards(project.ruleStandards[h.ruleKey] ?? [], params));
}

/** A facet over the selected issues: counts per value, largest first, at most 100 (SonarQube's facet size). */
function facet(project: SonarProject, issues: Json[], property: string): Json {
  const counts = new Map<string, number>();
  for (const issue of issues) {
    const standards = project.ruleStandards[issue.rule] ?? [];
    const values = property === 'rules' ? [issue.rule] : property === 'cwe' ? (cwesOf(standards).length ? cwesOf(standards) : ['unknown'])
      : property === 'owaspTop10-2021' ? owaspOf(standards) : [];
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const values = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 100).map(([val, count]) => ({ val, count }));
  return { property, values };
}
