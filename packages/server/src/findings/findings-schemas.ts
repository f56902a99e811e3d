import { Type } from '@sinclair/typebox';
import { Text } from '../http/text-input.js';
import { FINDING_KINDS, FINDING_SEVERITIES, FINDING_STATUSES } from './finding-model.js';

export const FindingSchema = Type.Object(
  {
    reportId: Type.String({ format: 'uuid' }),
    reportType: Type.String(),
    fingerprint: Type.String({ description: 'Stable across versions: SARIF partialFingerprints, the SonarQube issue key, or a hash of rule, location and message' }),
    ruleId: Type.String(),
    ruleName: Type.Union([Type.String(), Type.Null()]),
    kind: Type.String({ enum: [...FINDING_KINDS] }),
    severity: Type.String({ enum: [...FINDING_SEVERITIES] }),
    status: Type.String({ enum: [...FINDING_STATUSES] }),
    file: Type.Union([Type.String(), Type.Null()]),
    line: Type.Union([Type.Integer(), Type.Null()]),
    message: Type.String(),
    cwe: Type.Array(Type.String({ examples: ['CWE-89'] })),
    owasp: Type.Array(Type.String({ examples: ['A03'], description: 'OWASP Top 10 2021 category' })),
  },
  { $id: 'Finding' },
);

const DiffCountsSchema = Type.Object({ new: Type.Integer(), fixed: Type.Integer(), unchanged: Type.Integer() });

const version = (description: string) => Text({ minLength: 1, maxLength: 256, description });
const project = Text({ minLength: 1, maxLength: 200, description: 'projectName' });
const reportType = Text({ minLength: 1, maxLength: 200, description: 'Only this report type' });

export const DiffQuerySchema = Type.Object({
  project,
  from: version('The earlier version (semver)'),
  to: version('The later version (semver)'),
  reportType: Type.Optional(reportType),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Findings per list (new, fixed, unchanged) and page' })),
  cursor: Type.Optional(Text({ minLength: 1, maxLength: 4000, description: 'A nextCursor of the previous answer: the next page of that list only' })),
});

const listCursor = (list: string) => Type.Union([Type.String(), Type.Null()], { description: `Next page of ${list}, null at its end` });

export const DiffResponseSchema = Type.Object({
  projectName: Type.String(),
  from: Type.String(),
  to: Type.String(),
  counts: DiffCountsSchema,
  byCwe: Type.Record(Type.String(), DiffCountsSchema),
  byCategory: Type.Record(Type.String(), DiffCountsSchema),
  new: Type.Array(Type.Ref('Finding')),
  fixed: Type.Array(Type.Ref('Finding')),
  unchanged: Type.Array(Type.Ref('Finding')),
  nextCursor: Type.Object(
    { new: listCursor('new'), fixed: listCursor('fixed'), unchanged: listCursor('unchanged') },
    { description: 'Pass one as cursor for the next page of that list; counts always cover the whole diff' },
  ),
});

export const SearchQuerySchema = Type.Object({
  cwe: Type.Optional(Text({ minLength: 1, maxLength: 20, description: 'A CWE: 89 or CWE-89' })),
  rule: Type.Optional(Text({ minLength: 1, maxLength: 2000, description: 'A rule id, exactly' })),
  file: Type.Optional(Text({ minLength: 1, maxLength: 2000, description: 'A file path or the start of one' })),
  project: Type.Optional(project),
  reportType: Type.Optional(reportType),
  minver: Type.Optional(version('Minimum product version, inclusive')),
  maxver: Type.Optional(version('Maximum product version, inclusive')),
  status: Type.Optional(Type.String({ enum: [...FINDING_STATUSES] })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Findings per page' })),
  cursor: Type.Optional(Text({ minLength: 1, maxLength: 2000, description: 'nextCursor of the previous page' })),
});

export const SearchResponseSchema = Type.Object({
  groups: Type.Array(
    Type.Object({ projectName: Type.String(), projectVersion: Type.String(), findings: Type.Array(Type.Ref('Finding')) }),
    { description: 'Matches grouped by product version, in semver order' },
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const TrendsQuerySchema = Type.Object({
  project,
  reportType: Type.Optional(reportType),
  minver: Type.Optional(version('Minimum product version, inclusive')),
  maxver: Type.Optional(version('Maximum product version, inclusive')),
});

export const TrendsResponseSchema = Type.Object({
  projectName: Type.String(),
  versions: Type.Array(
    Type.Object({
      projectVersion: Type.String(),
      date: Type.String({ description: 'Latest analysis date of the version, ISO 8601' }),
      total: Type.Integer(),
      bySeverity: Type.Record(Type.String(), Type.Integer()),
      byCategory: Type.Record(Type.String(), Type.Integer()),
    }),
    { description: 'Open findings per version, in semver order' },
  ),
});
