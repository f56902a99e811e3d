import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { requirePermission } from '../http/auth.js';
import { invalidParameter } from '../http/errors.js';
import { signedIn } from '../http/openapi-security.js';
import { problemResponses } from '../http/problem-schemas.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { refTo } from '../http/schema-ref.js';
import { Text } from '../http/text-input.js';
import { AUDIT_ACTIONS } from './audit-log.js';
import { flushDownloadAudit } from './download-audit.js';
import { decodeAuditCursor, encodeAuditCursor, listAuditEntries, parseActorFilter, toEntryView, type AuditEntryView, type AuditFilter } from './audit-query.js';

export const AuditEntrySchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'Position in the organisation’s chain: 1, 2, 3, …' }),
    at: Type.String({ format: 'date-time' }),
    action: Type.String({ description: 'One of the actions listed in docs/evidence.md (report.download, member.add, …)' }),
    actor: Type.Object({
      kind: Type.Union(['user', 'token', 'share', 'anonymous', 'system'].map((k) => Type.Literal(k))),
      id: Type.Union([Type.String(), Type.Null()]),
      label: Type.Union([Type.String(), Type.Null()]),
    }),
    address: Type.Union([Type.String(), Type.Null()], { description: 'Client address of the request, when a request caused it' }),
    details: Type.Record(Type.String(), Type.Unknown()),
    prevHash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    hash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the entry’s canonical serialisation (docs/evidence.md)' }),
  },
  { $id: 'AuditEntry' },
);

const FORMATS = ['json', 'ndjson', 'csv'] as const;
const EXPORT_PAGE = 1000;

const AuditQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Entries at or after this time' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Entries at or before this time' })),
    action: Type.Optional(Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a)))),
    actor: Type.Optional(Text({ maxLength: 200, description: 'An actor kind (user, token, share, anonymous, system), optionally with :<id>, e.g. token:3f…' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Text({ maxLength: 100, description: 'nextCursor of the previous page' })),
    format: Type.Optional(
      Type.Union(FORMATS.map((f) => Type.Literal(f)), {
        description: 'json: one page, newest first. ndjson or csv: every matching entry, oldest first, streamed as a download (limit and cursor do not apply)',
      }),
    ),
  },
  { additionalProperties: false },
);

function parseTime(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw invalidParameter(`${name} must be an ISO 8601 date-time`);
  return ms;
}

const CSV_COLUMNS = ['seq', 'at', 'action', 'actor_kind', 'actor_id', 'actor_label', 'address', 'details', 'prev_hash', 'hash'];

/**
 * RFC 4180 quoting, and a leading apostrophe on text a spreadsheet would run as a formula: labels
 * and details come from users (an email, a project name).
 */
function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(e: AuditEntryView): string {
  return `${[e.seq, e.at, e.action, e.actor.kind, e.actor.id, e.actor.label, e.address, JSON.stringify(e.details), e.prevHash, e.hash].map(csvCell).join(',')}\r\n`;
}

/** Every matching entry, oldest first, page by page: memory stays flat, other requests run between pages. */
async function* exportLines(db: Kysely<Database>, filter: AuditFilter, format: 'ndjson' | 'csv') {
  if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
  let after: number | undefined;
  for (;;) {
    const { rows, next } = await listAuditEntries(db, filter, { limit: EXPORT_PAGE, after, order: 'asc' });
    if (rows.length > 0) yield rows.map((row) => (format === 'csv' ? csvLine(toEntryView(row)) : `${JSON.stringify(toEntryView(row))}\n`)).join('');
    if (next === null) return;
    after = next;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** GET /api/orgs/{orgId}/audit: the organisation's audit log, for its administrators. */
export const auditRoutes: RoutePlugin = async (plugin, { ctx }) => {
  // Fastify runs onClose after in-flight requests end: downloads still queued are written before the database closes.
  plugin.addHook('onClose', () => flushDownloadAudit(ctx));
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/orgs/:orgId/audit',
    {
      schema: {
        operationId: 'listAuditEntries',
        summary: 'The audit log: pages newest first, or the whole (filtered) log as NDJSON or CSV',
        description:
          'Filters combine: from/to (inclusive), action, actor. format=json (default) answers one page and nextCursor; ' +
          'format=ndjson (application/x-ndjson) or format=csv (text/csv) streams every matching entry oldest first as an attachment. ' +
          'Every entry carries prevHash and hash: see docs/evidence.md to recompute the chain.',
        tags: ['audit'],
        security: signedIn,
        params: Type.Object({ orgId: Type.String({ format: 'uuid' }) }),
        querystring: AuditQuery,
        response: {
          200: Type.Object(
            { entries: Type.Array(refTo(AuditEntrySchema)), nextCursor: Type.Union([Type.String(), Type.Null()]) },
            { description: 'format=json; format=ndjson and format=csv answer application/x-ndjson and text/csv' },
          ),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const orgId = request.params.orgId.toLowerCase();
      requirePermission(request, orgId, 'org:admin');
      const q = request.query;
      const filter: AuditFilter = {
        orgId,
        fromMs: parseTime('from', q.from),
        toMs: parseTime('to', q.to),
        action: q.action,
        actor: q.actor === undefined ? undefined : parseActorFilter(q.actor),
      };
      const format = q.format ?? 'json';
      if (format !== 'json') {
        const stamp = new Date(ctx.now()).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
        reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="arkiv-audit-${orgId}-${stamp}.${format}"`);
        reply.header('cache-control', 'no-store');
        return reply.send(Readable.from(exportLines(ctx.db, filter, format)));
      }
      const limit = q.limit ?? 50;
      const after = q.cursor === undefined ? undefined : decodeAuditCursor(q.cursor);
      const { rows, next } = await listAuditEntries(ctx.db, filter, { limit, after, order: 'desc' });
      reply.header('cache-control', 'no-store');
      return { entries: rows.map(toEntryView), nextCursor: next === null ? null : encodeAuditCursor(next) };
    },
  );
};
