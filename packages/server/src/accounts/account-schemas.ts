import { Type } from '@sinclair/typebox';
import { SCOPES } from './principal.js';
import { Text } from '../http/text-input.js';

export const RoleSchema = Type.Union([Type.Literal('member'), Type.Literal('admin'), Type.Literal('owner')], { description: 'owner > admin > member' });

export const AccountSchema = Type.Object({
  user: Type.Object({
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    totpEnabled: Type.Boolean({ description: 'The account has a TOTP second factor' }),
  }),
  memberships: Type.Array(
    Type.Object({
      orgId: Type.String({ format: 'uuid' }),
      orgName: Type.String(),
      role: RoleSchema,
      requireMfa: Type.Boolean({ description: 'The organisation requires a second factor: without TOTP its data answers 403 mfa_enrolment_required' }),
    }),
  ),
  csrfToken: Type.String({ description: 'Send as X-CSRF-Token on every POST/PUT/PATCH/DELETE made with the session cookie' }),
}, { $id: 'Session' });

export const LoginBodySchema = Type.Object(
  { email: Text({ minLength: 1, maxLength: 254 }), password: Text({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

export const PasswordChangeSchema = Type.Object(
  { currentPassword: Text({ minLength: 1, maxLength: 1024 }), newPassword: Text({ maxLength: 1024 }) },
  { additionalProperties: false },
);

export const AccountDeletionSchema = Type.Object({ password: Text({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });

export const MemberSchema = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  email: Type.String(),
  role: RoleSchema,
  createdAt: Type.String(),
}, { $id: 'Member' });

export const AddMemberSchema = Type.Object(
  {
    email: Text({ minLength: 3, maxLength: 254 }),
    role: RoleSchema,
    password: Type.Optional(Text({ maxLength: 1024, description: 'For a new account; omitted: one is generated and returned once' })),
  },
  { additionalProperties: false },
);

export const AddedMemberSchema = Type.Object({
  ...MemberSchema.properties,
  userCreated: Type.Boolean({ description: 'A new account was created for this email' }),
  generatedPassword: Type.Optional(Type.String({ description: 'Only when the account was created without a password: shown this once' })),
});

export const OrgListSchema = Type.Object({
  organizations: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      name: Type.String(),
      role: Type.Union([RoleSchema, Type.Null()], { description: "The caller's role; null for an API token" }),
      scopes: Type.Optional(Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), { description: 'API tokens only' })),
    }),
  ),
});

export const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });
export const MemberParams = Type.Object({ orgId: Type.String({ format: 'uuid' }), userId: Type.String({ format: 'uuid' }) });

export const SessionSummarySchema = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Names the session in DELETE /api/auth/sessions/{id}; not a credential' }),
  createdAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time', description: 'Updated at most once a minute' }),
  address: Type.Union([Type.String(), Type.Null()], { description: 'Client address at sign-in' }),
  userAgent: Type.Union([Type.String(), Type.Null()], { description: 'User-Agent at sign-in, control characters removed, at most 256 characters' }),
  current: Type.Boolean({ description: 'The session making this request' }),
}, { $id: 'SessionSummary' });

export const SessionParams = Type.Object({ sessionId: Type.String({ format: 'uuid' }) });
