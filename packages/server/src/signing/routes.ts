import { Type } from '@sinclair/typebox';
import { requestSource, withAudit } from '../audit/audit-log.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requirePermission } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import { publicRoute, signedIn } from '../http/openapi-security.js';
import { problemResponses } from '../http/problem-schemas.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { refTo } from '../http/schema-ref.js';
import { findOrganization } from '../orgs/org-store.js';
import { publicJwk } from './ed25519-jwk.js';
import { currentSigningKey, listSigningKeys, rotateSigningKey } from './key-store.js';

const JwkSchema = Type.Object({
  kty: Type.Literal('OKP'),
  crv: Type.Literal('Ed25519'),
  x: Type.String({ description: 'base64url of the raw 32-byte public key' }),
  kid: Type.String({ description: 'RFC 7638 JWK thumbprint' }),
  use: Type.Literal('sig'),
  alg: Type.Literal('EdDSA'),
  createdAt: Type.String(),
  notAfter: Type.Optional(Type.String({ description: 'When a rotation retired this key; absent for the key that signs now' })),
});

const JwksSchema = Type.Object({ keys: Type.Array(JwkSchema) }, { $id: 'Jwks' });

export const SigningKeySchema = Type.Object(
  {
    kid: Type.String(),
    x: Type.String({ description: 'base64url of the raw 32-byte Ed25519 public key' }),
    fingerprint: Type.String({ description: 'SHA-256 of the raw public key, hex in groups of four' }),
    createdAt: Type.String(),
    notAfter: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'SigningKey' },
);
export { JwksSchema };

const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });

/** The public half of every organisation key, unauthenticated (JWKS), and key management for admins. */
export const signingRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        operationId: 'getSigningKeys',
        summary: "An organisation's public signing keys (JWKS); retired keys stay listed so old archives still verify",
        tags: ['signing'],
        security: publicRoute,
        querystring: Type.Object({ org: Type.String({ format: 'uuid' }) }),
        response: { 200: refTo(JwksSchema), ...problemResponses },
      },
    },
    async (request, reply) => {
      const orgId = request.query.org.toLowerCase();
      // Like the read API, an unknown organisation looks empty: no hint which ids exist.
      const org = await findOrganization(ctx.db, orgId);
      if (org) await currentSigningKey(ctx.db, ctx.secrets, orgId, ctx.now());
      const keys = org ? await listSigningKeys(ctx.db, orgId) : [];
      reply.header('cache-control', 'public, max-age=60');
      return {
        keys: keys.map((key) => ({ ...publicJwk(key.x), createdAt: key.createdAt, ...(key.notAfter ? { notAfter: key.notAfter } : {}) })),
      };
    },
  );

  app.get(
    '/api/orgs/:orgId/signing-keys',
    {
      schema: {
        operationId: 'listSigningKeys',
        summary: "An organisation's signing keys, newest first, with fingerprints",
        tags: ['signing'],
        security: signedIn,
        params: OrgParams,
        response: { 200: Type.Object({ keys: Type.Array(refTo(SigningKeySchema)) }), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      requirePermission(request, orgId, 'org:admin');
      if (!(await findOrganization(ctx.db, orgId))) throw notFound('Organisation');
      await currentSigningKey(ctx.db, ctx.secrets, orgId, ctx.now());
      return { keys: await listSigningKeys(ctx.db, orgId) };
    },
  );

  app.post(
    '/api/orgs/:orgId/signing-keys/rotate',
    {
      schema: {
        operationId: 'rotateSigningKey',
        summary: 'Make a new signing key that signs from now on; the old one stays published with notAfter',
        tags: ['signing'],
        security: signedIn,
        params: OrgParams,
        response: { 200: refTo(SigningKeySchema), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      requirePermission(request, orgId, 'org:admin');
      if (!(await findOrganization(ctx.db, orgId))) throw notFound('Organisation');
      return withAudit(
        ctx.db,
        (trx) => rotateSigningKey(trx, ctx.secrets, orgId, ctx.now()),
        (key) => ({ orgId, action: 'signing_key.rotate', ...requestSource(request), details: { kid: key.kid, fingerprint: key.fingerprint }, at: ctx.now() }),
      );
    },
  );
};
