import { Type } from '@sinclair/typebox';
import { RoleSchema } from './account-schemas.js';
import { Text } from '../http/text-input.js';

export const InvitationSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Type.String(),
    role: RoleSchema,
    createdAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Invitation' },
);

export const CreateInvitationSchema = Type.Object(
  { email: Text({ minLength: 3, maxLength: 254 }), role: RoleSchema },
  { additionalProperties: false },
);

export const CreatedInvitationSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  role: RoleSchema,
  expiresAt: Type.String({ format: 'date-time' }),
  url: Type.String({ description: 'The link to accept: {ARKIV_PUBLIC_URL}/invite/{token}. Returned this once; only its hash is stored' }),
  mailed: Type.Boolean({ description: 'The link was also mailed to the address (SMTP is set and the server accepted the mail)' }),
});

export const InvitationPreviewSchema = Type.Object({
  orgName: Type.String(),
  email: Type.String(),
  role: RoleSchema,
  accountExists: Type.Boolean({ description: 'The email has an account already: accepting needs its password (or a session of that account)' }),
});

export const AcceptInvitationSchema = Type.Object(
  {
    password: Type.Optional(
      Text({ maxLength: 1024, description: "The new account's password (12+ characters), or the existing account's; omitted when signed in as the invited email" }),
    ),
  },
  { additionalProperties: false },
);

export const InvitationParams = Type.Object({ orgId: Type.String({ format: 'uuid' }), invitationId: Type.String({ format: 'uuid' }) });
export const LinkTokenParams = Type.Object({ token: Text({ minLength: 1, maxLength: 200 }) });
