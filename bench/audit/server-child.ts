import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { serveParent } from '../list/child.js';

/**
 * An Arkiv from the checkout named by ARKIV_CHECKOUT (this one, or a baseline without the audit
 * log), with one organisation and an admin token made straight in its database (both versions
 * share those tables), so the parent can upload through the API.
 */
const checkout = process.env.ARKIV_CHECKOUT!;
const server = (await import(pathToFileURL(`${checkout}/packages/server/src/index.ts`).href)) as typeof import('../../packages/server/src/index.js');
const running = await server.startServer(server.loadConfig(process.env));
const orgId = crypto.randomUUID();
const token = `arkiv_${crypto.randomBytes(24).toString('base64url')}`;
const now = Date.now();
await running.ctx.db.insertInto('organizations').values({ id: orgId, name: 'Audit bench', require_read_token: 0, created_at: now }).execute();
await running.ctx.db
  .insertInto('api_tokens')
  .values({ id: crypto.randomUUID(), org_id: orgId, name: 'bench', scopes: 'admin', token_hash: crypto.createHash('sha256').update(token).digest('hex'), token_prefix: token.slice(0, 12), created_by: null, created_at: now, last_used_at: null, revoked_at: null })
  .execute();
serveParent(() => running.close());
process.send!({ url: running.url, orgId, token });
