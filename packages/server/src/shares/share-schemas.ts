import { Type } from '@sinclair/typebox';
import { Text } from '../http/text-input.js';

export const ShareSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    note: Type.String(),
    reports: Type.Array(Type.String({ format: 'uuid' }), { description: 'The shared reports that still exist, in the order they were shared' }),
    status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.Union(
      [
        Type.Object({
          kind: Type.Union([Type.Literal('user'), Type.Literal('token')]),
          id: Type.String({ format: 'uuid' }),
          name: Type.String({ description: "The user's email or the API token's name" }),
        }),
        Type.Null(),
      ],
      { description: 'null once the user or token that created the share is deleted' },
    ),
    expiresAt: Type.String({ format: 'date-time' }),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    accessCount: Type.Integer({ minimum: 0, description: 'Successful requests through the link: views of the list and downloads' }),
    downloadCount: Type.Integer({ minimum: 0, description: 'The downloads among them (the ZIP and single files)' }),
    lastAccessAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'Share' },
);

export const CreateShareSchema = Type.Object(
  {
    reports: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 100_000, description: 'Report IDs of this organisation; at most ARKIV_MAX_ARCHIVE_REPORTS' }),
    expiresAt: Type.String({ format: 'date-time', description: 'When the link stops working: in the future, at most ARKIV_SHARE_MAX_DAYS (90 by default) ahead' }),
    note: Type.Optional(Text({ maxLength: 500, description: "For the organisation's administrators (who the link is for, why); never shown to viewers" })),
  },
  { additionalProperties: false },
);

export const CreatedShareSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  url: Type.String({ description: 'The link: {ARKIV_PUBLIC_URL}/share/{token}. Returned this once; only its hash is stored' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const SharedReportsSchema = Type.Object({
  organizationId: Type.String({ format: 'uuid', description: 'For `arkiv verify`: the organisation whose JWKS verifies the ZIP' }),
  organizationName: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  reports: Type.Array(Type.Ref('ReportListItem'), { description: 'Exactly the shared reports that still exist, each as GET /security/report/list lists it' }),
});

export const ShareParams = Type.Object({ orgId: Type.String({ format: 'uuid' }), shareId: Type.String({ format: 'uuid' }) });
export const ShareTokenParams = Type.Object({ token: Text({ minLength: 1, maxLength: 200 }) });
export const SharedFileParams = Type.Object({
  token: Text({ minLength: 1, maxLength: 200 }),
  reportId: Type.String({ format: 'uuid' }),
  kind: Type.Union([Type.Literal('html'), Type.Literal('pdf')]),
});
