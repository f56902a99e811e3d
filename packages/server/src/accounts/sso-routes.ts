import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requestSource, withAudit } from '../audit/audit-log.js';
import { requirePermission } from '../http/auth.js';
import { conflict, invalidParameter } from '../http/errors.js';
import { signedIn } from '../http/openapi-security.js';
import { problemResponses } from '../http/problem-schemas.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { refTo } from '../http/schema-ref.js';
import { Text } from '../http/text-input.js';
import { OrgParams, RoleSchema } from './account-schemas.js';
import { requireRoleAuthority } from './member-routes.js';
import { readSsoSettings, writeSsoSettings } from './sso-settings.js';

/** Enough for any organisation's group structure; a map beyond it is a mistake, not a plan. */
const MAX_GROUPS = 200;

export const SsoSettingsSchema = Type.Object(
  {
    groupRoles: Type.Record(Text({ minLength: 1, maxLength: 256 }), RoleSchema, {
      maxProperties: MAX_GROUPS,
      description:
        "Provider group → role here, applied at every SSO sign-in: the highest role of the person's mapped groups, or no membership when none is mapped. Empty: memberships are managed in Arkiv only.",
    }),
    required: Type.Boolean({ description: 'Members may not sign in with a password (403 sso_required); they use "Sign in with SSO"' }),
  },
  { $id: 'SsoSettings', additionalProperties: false },
);

/** /api/orgs/{orgId}/sso: how an organisation's memberships follow the OpenID Provider's groups. */
export const ssoRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['members'];

  app.get(
    '/api/orgs/:orgId/sso',
    {
      schema: {
        operationId: 'getSsoSettings',
        summary: "The organisation's single sign-on settings: group → role map and whether SSO is required",
        tags,
        security: signedIn,
        params: OrgParams,
        response: { 200: refTo(SsoSettingsSchema), ...problemResponses },
      },
    },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      return readSsoSettings(ctx.db, request.params.orgId);
    },
  );

  app.put(
    '/api/orgs/:orgId/sso',
    {
      schema: {
        operationId: 'updateSsoSettings',
        summary: "Replace the organisation's single sign-on settings",
        description:
          'Administrators; a map that gives or gave the owner role needs an owner. 400 invalid_parameter for an empty group name; 409 sso_not_configured for required: true on a server without ARKIV_OIDC_ISSUER (nobody could sign in).',
        tags,
        security: signedIn,
        params: OrgParams,
        body: Type.Object({ groupRoles: SsoSettingsSchema.properties.groupRoles, required: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: refTo(SsoSettingsSchema), 409: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      requirePermission(request, orgId, 'org:admin');
      const settings = { groupRoles: request.body.groupRoles, required: request.body.required ?? false };
      if (Object.keys(settings.groupRoles).some((group) => group.trim() === '')) throw invalidParameter('groupRoles: a group name must not be empty');
      const previous = await readSsoSettings(ctx.db, orgId);
      requireRoleAuthority(request, orgId, ...Object.values(previous.groupRoles), ...Object.values(settings.groupRoles));
      if (settings.required && !ctx.config.oidc) throw conflict('sso_not_configured', 'Single sign-on is not configured on this server (ARKIV_OIDC_ISSUER): requiring it would lock every member out');
      await withAudit(
        ctx.db,
        (trx) => writeSsoSettings(trx, orgId, settings, ctx.now()),
        () => ({ orgId, action: 'org.sso_update', ...requestSource(request), details: { groupRoles: settings.groupRoles, required: settings.required, previous: { groupRoles: previous.groupRoles, required: previous.required } }, at: ctx.now() }),
      );
      request.log.info({ orgId, groups: Object.keys(settings.groupRoles).length, required: settings.required }, 'SSO settings changed');
      return settings;
    },
  );
};
