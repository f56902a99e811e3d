import { Type, type Static } from '@sinclair/typebox';
import { Text } from '../http/text-input.js';

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });

export const ReportListItemSchema = Type.Object(
  {
    projectName: Type.String(),
    id: Type.String({ format: 'uuid' }),
    reportType: Type.String({ examples: ['CWE Top 25', 'OWASP Top 10'] }),
    reportVersion: Type.Integer({ examples: [2024] }),
    projectVersion: Type.String({ description: 'As uploaded' }),
    date: Type.String({ description: 'Analysis date, ISO 8601' }),
    uploadDate: Type.String({ description: 'ISO 8601' }),
    vulnerabilitiesCount: Type.Integer({ minimum: 0 }),
    securityRating: Type.String({ enum: ['A', 'B', 'C', 'D', 'E'] }),
  },
  { $id: 'ReportListItem' },
);

export const ListQuerySchema = Type.Object({
  org: Type.String({ format: 'uuid', description: 'Organisation ID' }),
  version: Type.Optional(Text({ maxLength: 256, description: 'Exact product version (semver; "1.0" is 1.0.0)' })),
  minver: Type.Optional(Text({ maxLength: 256, description: 'Minimum product version, inclusive' })),
  maxver: Type.Optional(Text({ maxLength: 256, description: 'Maximum product version, inclusive' })),
  projectName: Type.Optional(Text({ minLength: 1, maxLength: 200, description: 'Extension: only this project' })),
  reportType: Type.Optional(Text({ minLength: 1, maxLength: 200, description: 'Extension: only this report type' })),
  uploadedSince: Type.Optional(Type.String({ format: 'date-time', description: 'Extension: uploaded at or after' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Extension: page size; without it every match is returned' })),
  cursor: Type.Optional(Text({ minLength: 1, maxLength: 2000, description: 'Extension: nextCursor of the previous page' })),
});
export type ListQuery = Static<typeof ListQuerySchema>;

export const ListResponseSchema = Type.Object({
  organizationId: Type.String({ format: 'uuid' }),
  reports: Type.Array(Type.Ref('ReportListItem')),
  nextCursor: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Present when limit was given' })),
});

export const FilesQuerySchema = Type.Object({
  org: Type.String({ format: 'uuid', description: 'Organisation ID' }),
  reports: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, description: 'Report IDs (repeat the parameter)' }),
});
export type FilesQuery = Static<typeof FilesQuerySchema>;
