import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { requirePermission } from '../http/auth.js';
import { conflict, forbidden, invalidParameter, notFound } from '../http/errors.js';
import { requestSource, withAudit } from '../audit/audit-log.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { problemResponses } from '../http/problem-schemas.js';
import { AddedMemberSchema, AddMemberSchema, MemberParams, MemberSchema, OrgParams, RoleSchema } from './account-schemas.js';
import { addMembership, changeMembership, findMember, listMembers } from './memberships.js';
import { checkNewPassword, generatePassword } from './passwords.js';
import { can, type Role } from './principal.js';
import { createUser, findUserByEmail, isPlausibleEmail } from './users.js';
import { revokeTokensCreatedBy } from './tokens.js';
import { signedIn } from '../http/openapi-security.js';
import { refTo } from '../http/schema-ref.js';

/**
 * Administrators manage members and administrators; only owners touch owners (adding, promoting
 * to, demoting from or removing the owner role). The last-owner rule lives in changeMembership.
 */
export function requireRoleAuthority(request: FastifyRequest, orgId: string, ...roles: Role[]): void {
  requirePermission(request, orgId, 'org:admin');
  if (roles.includes('owner') && !can(request.principal, orgId, 'org:owner')) throw forbidden('Only owners can add, change or remove owners');
}

/** An existing account keeps its password: no administrator may set the password of someone else's account. */
async function findOrCreateUser(ctx: AppContext, orgId: string, email: string, password: string | undefined) {
  const existing = await findUserByEmail(ctx.db, email);
  if (existing) {
    if (password !== undefined) throw conflict('user_exists', 'This email already has an account; add it without a password');
    // The administrators of the organisation that created the account know its password: sharing
    // it with a second organisation would let them act there as this user.
    if (existing.password_known_to_org !== null && existing.password_known_to_org !== orgId) {
      throw conflict('account_unclaimed', 'This account still has the password another organisation gave it; it can be added once its owner has changed the password');
    }
    return { user: existing, created: false, generatedPassword: undefined };
  }
  const chosen = password ?? generatePassword();
  checkNewPassword(chosen);
  const user = await createUser(ctx.db, { email, password: chosen, now: ctx.now(), passwordKnownToOrg: orgId }).catch(async (error: unknown) => {
    // Someone created the same account a moment ago: report it like the check above would have.
    if (await findUserByEmail(ctx.db, email)) throw conflict('user_exists', 'This email already has an account');
    throw error;
  });
  return { user, created: true, generatedPassword: password === undefined ? chosen : undefined };
}

/** /api/orgs/{orgId}/members: list, add (creating the account if needed), change role, remove. */
export const memberRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['members'];
  const security = signedIn;

  app.get(
    '/api/orgs/:orgId/members',
    { schema: { operationId: 'listMembers', summary: 'List members and their roles', tags, security, params: OrgParams, response: { 200: Type.Object({ members: Type.Array(refTo(MemberSchema)) }), ...problemResponses } } },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      return { members: await listMembers(ctx.db, request.params.orgId) };
    },
  );

  app.post(
    '/api/orgs/:orgId/members',
    {
      schema: {
        operationId: 'addMember',
        summary: 'Add a member (creates the account when the email has none)',
        description: '409 already_member; 409 user_exists when a password is given for an existing account; 409 account_unclaimed when the account still has a password another organisation set; 400 password_too_short.',
        tags,
        security,
        params: OrgParams,
        body: AddMemberSchema,
        response: { 201: AddedMemberSchema, 409: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      requireRoleAuthority(request, orgId, request.body.role);
      if (!isPlausibleEmail(request.body.email)) throw invalidParameter('email is not an email address');
      const { user, created, generatedPassword } = await findOrCreateUser(ctx, orgId, request.body.email, request.body.password);
      await withAudit(
        ctx.db,
        (trx) => addMembership(trx, { orgId, userId: user.id, role: request.body.role, now: ctx.now() }),
        () => ({ orgId, action: 'member.add', ...requestSource(request), details: { userId: user.id, email: user.email, role: request.body.role, accountCreated: created }, at: ctx.now() }),
      );
      const member = await findMember(ctx.db, orgId, user.id);
      if (!member) throw notFound('Member');
      request.log.info({ orgId, userId: user.id, role: member.role, userCreated: created }, 'member added');
      return reply.status(201).send({ ...member, userCreated: created, ...(generatedPassword ? { generatedPassword } : {}) });
    },
  );

  app.patch(
    '/api/orgs/:orgId/members/:userId',
    {
      schema: {
        operationId: 'updateMemberRole',
        summary: "Change a member's role",
        description: '409 last_owner when this would leave the organisation without an owner.',
        tags,
        security,
        params: MemberParams,
        body: Type.Object({ role: RoleSchema }, { additionalProperties: false }),
        response: { 200: refTo(MemberSchema), 404: Type.Ref('Problem'), 409: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => {
      const { orgId, userId } = request.params;
      const role = request.body.role;
      requirePermission(request, orgId, 'org:admin');
      let previous: Role | undefined;
      const tokensRevoked = await withAudit(
        ctx.db,
        async (trx) => {
          await changeMembership(trx, { orgId, userId, newRole: role, decide: (current) => { requireRoleAuthority(request, orgId, current, role); previous = current; } });
          return role === 'member' ? revokeTokensCreatedBy(trx, orgId, userId, ctx.now()) : 0;
        },
        (revoked) => ({ orgId, action: 'member.role_change', ...requestSource(request), details: { userId, from: previous ?? null, to: role, tokensRevoked: revoked }, at: ctx.now() }),
      );
      const member = await findMember(ctx.db, orgId, userId);
      if (!member) throw notFound('Member');
      request.log.info({ orgId, userId, role, tokensRevoked }, 'member role changed');
      return member;
    },
  );

  app.delete(
    '/api/orgs/:orgId/members/:userId',
    {
      schema: {
        operationId: 'removeMember',
        summary: 'Remove a member from the organisation (the account remains)',
        description: '409 last_owner when this is the last owner.',
        tags,
        security,
        params: MemberParams,
        response: { 204: Type.Null(), 404: Type.Ref('Problem'), 409: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { orgId, userId } = request.params;
      requirePermission(request, orgId, 'org:admin');
      let previous: Role | undefined;
      const tokensRevoked = await withAudit(
        ctx.db,
        async (trx) => {
          await changeMembership(trx, { orgId, userId, newRole: null, decide: (current) => { requireRoleAuthority(request, orgId, current); previous = current; } });
          return revokeTokensCreatedBy(trx, orgId, userId, ctx.now());
        },
        (revoked) => ({ orgId, action: 'member.remove', ...requestSource(request), details: { userId, role: previous ?? null, tokensRevoked: revoked }, at: ctx.now() }),
      );
      request.log.info({ orgId, userId, tokensRevoked }, 'member removed');
      return reply.status(204).send(null);
    },
  );
};
