import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pdfBytes } from '../../../test/fixtures.js';
import { ANALYSES, HOTSPOTS, ISSUES, MEASURES, PROJECT_KEY, PROJECT_NAME, RULE_STANDARDS } from './sonar-fixtures.js';

export interface StandInOptions {
  token: string;
  /** Enterprise Edition: serves api/security_reports/download. */
  enterprise?: boolean;
  /** SonarQube caps `ps` (at 500); a small cap here makes the fixtures span several pages. */
  maxPageSize?: number;
  version?: string;
  /** Replaces the answer for one path (after the token check): hostile or broken servers. */
  respond?: Record<string, (res: http.ServerResponse, params: URLSearchParams) => void>;
  /** Bytes served by the Enterprise download instead of a real PDF. */
  enterprisePdf?: Buffer;
}

export interface StandIn {
  url: string;
  /** Every request: path, query parameters and the authorization header it carried. */
  requests: Array<{ path: string; params: URLSearchParams; authorization?: string | undefined }>;
  /** The next `times` requests to `path` answer `status`. */
  failNext(path: string, status: number, times?: number): void;
  enterprisePdf: Buffer;
  close(): Promise<void>;
}

/**
 * A SonarQube Web API on 127.0.0.1 serving the fixtures as SonarQube 10.6 does: HTTP Basic token
 * auth (401 with no body otherwise), `p`/`ps` paging with a `paging` object, the filters Arkiv
 * relies on (resolved, impactSoftwareQualities, types, rule_key) applied, 404 for unknown
 * projects and for the Enterprise-only endpoint on other editions.
 */
export async function startSonarStandIn(options: StandInOptions): Promise<StandIn> {
  const requests: StandIn['requests'] = [];
  const failures = new Map<string, { status: number; times: number }>();
  const enterprisePdf = options.enterprisePdf ?? pdfBytes('SonarQube Security Report acme-shop');
  const maxPageSize = options.maxPageSize ?? 2;

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
    const project = params.get('component') ?? params.get('project') ?? params.get('components') ?? params.get('componentKeys');
    if (project !== null && project !== PROJECT_KEY) return send(404, { errors: [{ msg: `Component key '${project}' not found` }] });
    const page = <T>(items: T[], field: string) => {
      const p = Number(params.get('p') ?? 1);
      const ps = Math.min(Number(params.get('ps') ?? 100), maxPageSize);
      return { paging: { pageIndex: p, pageSize: ps, total: items.length }, [field]: items.slice((p - 1) * ps, p * ps) };
    };
    switch (path) {
      case 'api/server/version':
        return send(200, options.version ?? '10.6.0.92116', 'text/plain');
      case 'api/measures/component':
        return send(200, { component: { key: PROJECT_KEY, name: PROJECT_NAME, qualifier: 'TRK', measures: MEASURES.filter((m) => (params.get('metricKeys') ?? '').split(',').includes(m.metric)) } });
      case 'api/project_analyses/search':
        return send(200, { ...page(ANALYSES, 'analyses') });
      case 'api/issues/search': {
        let issues = ISSUES;
        if (params.get('resolved') === 'false') issues = issues.filter((i) => !('resolution' in i));
        if (params.get('impactSoftwareQualities')) issues = issues.filter((i) => i.impacts.some((m) => params.get('impactSoftwareQualities')!.split(',').includes(m.softwareQuality)));
        if (params.get('types')) issues = issues.filter((i) => params.get('types')!.split(',').includes(i.type));
        return send(200, { ...page(issues, 'issues'), components: [], facets: params.get('facets') ? [{ property: 'cwe', values: [] }, { property: 'owaspTop10-2021', values: [] }] : [] });
      }
      case 'api/hotspots/search':
        return send(200, { ...page(HOTSPOTS, 'hotspots'), components: [] });
      case 'api/rules/search': {
        const key = params.get('rule_key') ?? '';
        const standards = RULE_STANDARDS[key];
        const rules = standards ? [{ key, securityStandards: params.get('f')?.includes('securityStandards') ? standards : undefined }] : [];
        return send(200, { total: rules.length, p: 1, ps: 100, rules });
      }
      case 'api/security_reports/download':
        if (!options.enterprise) return send(404, { errors: [{ msg: 'Unknown url : /api/security_reports/download' }] });
        return send(200, enterprisePdf, 'application/pdf');
      default:
        return send(404, { errors: [{ msg: `Unknown url : /${path}` }] });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enterprisePdf,
    failNext: (path, status, times = 1) => failures.set(path, { status, times }),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
