import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requirePermission } from '../http/auth.js';
import { invalidParameter, invalidRange, invalidVersion, notFound } from '../http/errors.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { problemResponses } from '../http/problem-schemas.js';
import { signedIn } from '../http/openapi-security.js';
import { parseVersion } from '../reports/versions.js';
import { cweNumber } from './finding-model.js';
import { diffFindings, hasReportAt } from './diff-query.js';
import { searchFindings } from './search-query.js';
import { findingTrends } from './trends-query.js';
import { DiffQuerySchema, DiffResponseSchema, SearchQuerySchema, SearchResponseSchema, TrendsQuerySchema, TrendsResponseSchema } from './findings-schemas.js';

const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });

function keyOf(parameter: string, value: string): string;
function keyOf(parameter: string, value: string | undefined): string | undefined;
function keyOf(parameter: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parseVersion(value);
  if (!parsed) throw invalidVersion(parameter, value);
  return parsed.key;
}

function rangeOf(minver: string | undefined, maxver: string | undefined) {
  const minKey = keyOf('minver', minver);
  const maxKey = keyOf('maxver', maxver);
  if (minKey !== undefined && maxKey !== undefined && minKey > maxKey) throw invalidRange(minver!, maxver!);
  return { minKey, maxKey };
}

/** Findings across reports of an organisation: diff of two versions, search, trends. Members and read tokens. */
export const findingsRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/orgs/:orgId/findings/diff',
    {
      schema: {
        operationId: 'diffFindings',
        summary: 'New, fixed and unchanged open findings between two versions of a product (by fingerprint), a page of each list',
        tags: ['findings'],
        security: signedIn,
        params: OrgParams,
        querystring: DiffQuerySchema,
        response: { 200: DiffResponseSchema, 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => {
      const orgId = request.params.orgId.toLowerCase();
      requirePermission(request, orgId, 'reports:read');
      const { project, from, to, reportType, limit, cursor } = request.query;
      const fromKey = keyOf('from', from);
      const toKey = keyOf('to', to);
      for (const [version, key] of [[from, fromKey], [to, toKey]] as const) {
        if (!(await hasReportAt(ctx.db, orgId, project, key, reportType))) throw notFound(`A report of ${project} at version ${version}${reportType ? ` (${reportType})` : ''}`);
      }
      const diff = await diffFindings(ctx.db, { orgId, projectName: project, fromKey, toKey, reportType, limit: limit ?? 100, cursor });
      return { projectName: project, from, to, ...diff };
    },
  );

  app.get(
    '/api/orgs/:orgId/findings',
    {
      schema: {
        operationId: 'searchFindings',
        summary: 'Findings across versions (by CWE, rule or file), grouped by product version in semver order, paginated',
        tags: ['findings'],
        security: signedIn,
        params: OrgParams,
        querystring: SearchQuerySchema,
        response: { 200: SearchResponseSchema, ...problemResponses },
      },
    },
    async (request) => {
      const orgId = request.params.orgId.toLowerCase();
      requirePermission(request, orgId, 'reports:read');
      const q = request.query;
      let cwe: number | undefined;
      if (q.cwe !== undefined) {
        cwe = cweNumber(/^\d+$/.test(q.cwe.trim()) ? `CWE-${q.cwe.trim()}` : q.cwe);
        if (cwe === undefined) throw invalidParameter('cwe must be a CWE number such as 89 or CWE-89');
      }
      return searchFindings(ctx.db, {
        orgId, cwe, ruleId: q.rule, file: q.file, projectName: q.project, reportType: q.reportType,
        ...rangeOf(q.minver, q.maxver), status: q.status, limit: q.limit ?? 100, cursor: q.cursor,
      });
    },
  );

  app.get(
    '/api/orgs/:orgId/findings/trends',
    {
      schema: {
        operationId: 'findingTrends',
        summary: "Open findings of a product per version (semver order): totals, by severity and by OWASP category",
        tags: ['findings'],
        security: signedIn,
        params: OrgParams,
        querystring: TrendsQuerySchema,
        response: { 200: TrendsResponseSchema, ...problemResponses },
      },
    },
    async (request) => {
      const orgId = request.params.orgId.toLowerCase();
      requirePermission(request, orgId, 'reports:read');
      const q = request.query;
      const versions = await findingTrends(ctx.db, { orgId, projectName: q.project, reportType: q.reportType, ...rangeOf(q.minver, q.maxver) });
      return { projectName: q.project, versions };
    },
  );
};
