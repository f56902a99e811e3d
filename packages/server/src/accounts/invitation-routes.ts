import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.js';
import { requirePermission } from '../http/auth.js';
import { conflict, invalidParameter, notFound } from '../http/errors.js';
import { publicRoute, signedIn } from '../http/openapi-security.js';
import { problemResponses } from '../http/problem-schemas.js';
import { requestSource, withAudit } from '../audit/audit-log.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { refTo } from '../http/schema-ref.js';
import { createMailer } from '../mail/mailer.js';
import { AccountSchema, OrgParams } from './account-schemas.js';
import { accountView } from './auth-routes.js';
import { challengeSecondFactor } from './second-factor.js';
import { MfaRequiredProblemSchema } from './mfa-schemas.js';
import { checkCredentials } from './credentials.js';
import { csrfFailed, isCrossSiteRequest } from './csrf.js';
import { AcceptInvitationSchema, CreatedInvitationSchema, CreateInvitationSchema, InvitationParams, InvitationPreviewSchema, InvitationSchema, LinkTokenParams } from './invitation-schemas.js';
import { claimInvitation, createInvitation, findInvitationByToken, listPendingInvitations, revokeInvitation, unclaimInvitation, type Invitation } from './invitations.js';
import { linkGone } from './link-tokens.js';
import { requireRoleAuthority } from './member-routes.js';
import { addMembership, findMember } from './memberships.js';
import { checkNewPassword } from './passwords.js';
import { sessionOf } from './session-authenticator.js';
import { setSessionCookie } from './session-cookie.js';
import { createSession } from './sessions.js';
import { sessionClientOf } from './session-client.js';
import { readSsoSettings, requiresSso, ssoRequired } from './sso-settings.js';
import { createUser, findUserByEmail, isPlausibleEmail, type User } from './users.js';

const iso = (ms: number) => new Date(ms).toISOString();
const invitationView = (i: Invitation) => ({ id: i.id, email: i.email, role: i.role, createdAt: iso(i.createdAt), expiresAt: iso(i.expiresAt) });

/** The invitation a link names while it still works: 404 unknown, 410 used or expired. */
async function usableInvitation(ctx: AppContext, token: string) {
  const invitation = await findInvitationByToken(ctx.db, token);
  if (!invitation) throw notFound('Invitation');
  if (invitation.acceptedAt !== null) throw linkGone('invitation_used', 'This invitation has been used already');
  if (ctx.now() >= invitation.expiresAt) throw linkGone('invitation_expired', 'This invitation has expired; ask for a new one');
  return invitation;
}

function invitationMail(orgName: string, role: string, url: string, expiresAt: number) {
  return {
    subject: `You are invited to ${orgName} on Arkiv`,
    text: [
      `You have been invited to join ${orgName} on Arkiv as ${role}.`,
      '',
      'Open this link to accept (it works once):',
      url,
      '',
      `The link expires on ${iso(expiresAt)}. If you did not expect this invitation, ignore this mail.`,
    ].join('\n'),
  };
}

/**
 * Invitations: administrators invite an email into their organisation with a role; the person
 * opens the single-use link, chooses a password (or proves the one of their existing account) and
 * is signed in. No administrator ever chooses or sees anyone's password.
 */
export const invitationRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['members'];
  const mailer = createMailer(ctx.config.mail, ctx.log);

  app.post(
    '/api/orgs/:orgId/invitations',
    {
      schema: {
        operationId: 'createInvitation',
        summary: 'Invite an email into the organisation with a role (mailed when SMTP is set; the link is returned either way)',
        description: 'Only owners invite owners. 409 already_member when the email is a member already.',
        tags,
        security: signedIn,
        params: OrgParams,
        body: CreateInvitationSchema,
        response: { 201: CreatedInvitationSchema, 409: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      requireRoleAuthority(request, orgId, request.body.role);
      if (!isPlausibleEmail(request.body.email)) throw invalidParameter('email is not an email address');
      const existing = await findUserByEmail(ctx.db, request.body.email);
      if (existing && (await findMember(ctx.db, orgId, existing.id))) throw conflict('already_member', 'This email is already a member of the organisation');
      const organization = await ctx.db.selectFrom('organizations').select('name').where('id', '=', orgId).executeTakeFirst();
      if (!organization) throw notFound('Organisation');
      const createdBy = request.principal?.kind === 'user' ? request.principal.id : null;
      const { invitation, token } = await withAudit(
        ctx.db,
        (trx) => createInvitation(trx, { orgId, email: request.body.email, role: request.body.role, createdBy, now: ctx.now() }),
        ({ invitation }) => ({ orgId, action: 'invitation.create', ...requestSource(request), details: { invitationId: invitation.id, email: invitation.email, role: invitation.role }, at: ctx.now() }),
      );
      const url = `${ctx.config.publicUrl}/invite/${token}`;
      const mailed = await mailer.send({ to: invitation.email, ...invitationMail(organization.name, invitation.role, url, invitation.expiresAt) });
      request.log.info({ orgId, invitationId: invitation.id, role: invitation.role, mailed }, 'invitation created');
      return reply.status(201).send({ id: invitation.id, email: invitation.email, role: invitation.role, expiresAt: iso(invitation.expiresAt), url, mailed });
    },
  );

  app.get(
    '/api/orgs/:orgId/invitations',
    {
      schema: {
        operationId: 'listInvitations',
        summary: 'Invitations not yet accepted (expired ones included)',
        tags,
        security: signedIn,
        params: OrgParams,
        response: { 200: Type.Object({ invitations: Type.Array(refTo(InvitationSchema)) }), ...problemResponses },
      },
    },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      return { invitations: (await listPendingInvitations(ctx.db, request.params.orgId)).map(invitationView) };
    },
  );

  app.delete(
    '/api/orgs/:orgId/invitations/:invitationId',
    {
      schema: {
        operationId: 'revokeInvitation',
        summary: 'Revoke an invitation: its link answers 404 from now on',
        tags,
        security: signedIn,
        params: InvitationParams,
        response: { 204: Type.Null(), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { orgId, invitationId } = request.params;
      requirePermission(request, orgId, 'org:admin');
      const revoked = await withAudit(
        ctx.db,
        (trx) => revokeInvitation(trx, orgId, invitationId),
        (found) => found && { orgId, action: 'invitation.revoke', ...requestSource(request), details: { invitationId }, at: ctx.now() },
      );
      if (!revoked) throw notFound('Invitation');
      request.log.info({ orgId, invitationId }, 'invitation revoked');
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/invitations/:token',
    {
      schema: {
        operationId: 'getInvitation',
        summary: 'What an invitation link offers: the organisation, the invited email and role (no sign-in needed)',
        description: '404 for an unknown (or revoked) link; 410 invitation_used or invitation_expired.',
        tags,
        security: publicRoute,
        params: LinkTokenParams,
        response: { 200: InvitationPreviewSchema, 404: Type.Ref('Problem'), 410: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => {
      const invitation = await usableInvitation(ctx, request.params.token);
      const accountExists = (await findUserByEmail(ctx.db, invitation.email)) !== undefined;
      return { orgName: invitation.orgName, email: invitation.email, role: invitation.role, accountExists };
    },
  );

  app.post(
    '/api/invitations/:token/accept',
    {
      config: { csrfExempt: true },
      schema: {
        operationId: 'acceptInvitation',
        summary: 'Accept an invitation: creates the account (or adds the membership to the existing one) and signs in',
        description:
          'Without a session: a new email needs `password` (12+ characters) for its new account; an existing account needs its own password ' +
          '(401 invalid_credentials, throttled like logins; with TOTP on, 401 mfa_required: complete it with POST /api/auth/login/mfa, then accept signed in). Signed in as the invited email: no password. Signed in as another email: 409 wrong_account. ' +
          '409 account_unclaimed when the account still has a password another organisation set. ' +
          '404 unknown link; 410 invitation_used or invitation_expired; 409 already_member; 403 sso_required without a session when the organisation (or one of the account) requires single sign-on.',
        tags,
        security: publicRoute,
        params: LinkTokenParams,
        body: AcceptInvitationSchema,
        response: { 200: refTo(AccountSchema), 404: Type.Ref('Problem'), 409: Type.Ref('Problem'), 410: Type.Ref('Problem'), ...problemResponses, 401: refTo(MfaRequiredProblemSchema) },
      },
    },
    async (request, reply) => {
      if (isCrossSiteRequest(request)) throw csrfFailed('Accepting an invitation from another site is not allowed');
      const invitation = await usableInvitation(ctx, request.params.token);
      const session = sessionOf(request);
      const password = request.body.password;
      const existing = await findUserByEmail(ctx.db, invitation.email);
      // As when adding a member: administrators of another organisation know this password.
      if (existing && existing.password_known_to_org !== null && existing.password_known_to_org !== invitation.orgId) {
        throw conflict('account_unclaimed', 'This account still has the password another organisation gave it; change it first, then accept');
      }
      let user: User | undefined;
      if (session) {
        if (session.email !== invitation.email) throw conflict('wrong_account', `This invitation is for ${invitation.email}; log out first to accept it`);
        user = { id: session.userId, email: session.email };
      } else if (existing) {
        user = await checkCredentials(ctx, { email: invitation.email, password: password ?? '', address: request.ip });
        // A password alone must not sign in an account that has a second factor: finish the login, then accept signed in.
        await challengeSecondFactor(ctx, user);
      } else {
        if (password === undefined) throw invalidParameter('password is required to create the account');
        checkNewPassword(password);
      }
      // A password sign-in in disguise: refused where SSO is required (signed in through SSO, the person accepts with no password).
      if (!session && ((await readSsoSettings(ctx.db, invitation.orgId)).required || (user && (await requiresSso(ctx.db, user.id))))) throw ssoRequired();
      if (!(await claimInvitation(ctx.db, invitation.id, ctx.now()))) throw linkGone('invitation_used', 'This invitation has been used already');
      try {
        // The person chose this password: no organisation knows it (passwordKnownToOrg stays null).
        user ??= await createUser(ctx.db, { email: invitation.email, password: password!, now: ctx.now() });
        const member = user;
        await withAudit(
          ctx.db,
          (trx) => addMembership(trx, { orgId: invitation.orgId, userId: member.id, role: invitation.role, now: ctx.now() }),
          () => ({
            orgId: invitation.orgId,
            action: 'invitation.accept',
            actor: { kind: 'user', id: member.id, label: member.email },
            address: request.ip,
            details: { invitationId: invitation.id, userId: member.id, email: member.email, role: invitation.role },
            at: ctx.now(),
          }),
        );
      } catch (error) {
        await unclaimInvitation(ctx.db, invitation.id);
        throw error;
      }
      request.log.info({ orgId: invitation.orgId, invitationId: invitation.id, userId: user.id, role: invitation.role }, 'invitation accepted');
      if (session) return accountView(ctx, user, session.csrfToken);
      const created = await createSession(ctx.db, user.id, ctx.now(), sessionClientOf(request));
      setSessionCookie(request, reply, created.token);
      return accountView(ctx, user, created.csrfToken);
    },
  );
};
